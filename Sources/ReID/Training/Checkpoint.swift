import Foundation
import Torch

/// One training checkpoint in ONE safetensors file, so that writing it (temp file + rename) is
/// atomic as a whole: the model's tensors under their own names (loadable by `reid extract
/// --weights` and `--init`), other modules of the method under `_state.<module>.<name>`, each
/// optimiser's libtorch archive as a uint8 tensor `_optim.<name>`, and the loop state in the
/// metadata.
public struct Checkpoint {
    public static let statePrefix = "_state."
    public static let optimizerPrefix = "_optim."

    public var epoch: Int
    public var bestScore: Double
    public var bestEpoch: Int
    public var configYAML: String

    public init(epoch: Int, bestScore: Double, bestEpoch: Int, configYAML: String) {
        self.epoch = epoch
        self.bestScore = bestScore
        self.bestEpoch = bestEpoch
        self.configYAML = configYAML
    }

    public func write(to path: String, model: any Module, modules: [String: any Module],
                      optimizers: [String: Optimizer]) throws {
        var tensors = model.stateDict()
        for (name, module) in modules {
            for (key, value) in module.stateDict() { tensors[Checkpoint.statePrefix + name + "." + key] = value }
        }
        for (name, optimizer) in optimizers {
            tensors[Checkpoint.optimizerPrefix + name] = try Checkpoint.archive(optimizer)
        }
        let metadata = ["epoch": "\(epoch)", "best_score": "\(bestScore)", "best_epoch": "\(bestEpoch)",
                        "config": configYAML, "swiftreid_version": ReIDVersion.string]
        try Safetensors.save(tensors, to: path, metadata: metadata)
    }

    /// Restores everything `write` stored into live objects; returns the loop state.
    public static func restore(from path: String, model: any Module, modules: [String: any Module],
                               optimizers: [String: Optimizer]) throws -> Checkpoint {
        let (tensors, metadata) = try Safetensors.load(path, only: nil)
        guard let epoch = metadata["epoch"].flatMap(Int.init) else {
            throw ReIDError.data(path: path, reason: "is not a training checkpoint (no epoch in its metadata)")
        }
        let modelTensors = tensors.filter { !$0.key.hasPrefix(statePrefix) && !$0.key.hasPrefix(optimizerPrefix) }
        try model.load(stateDict: modelTensors, source: path)
        for (name, module) in modules {
            let prefix = statePrefix + name + "."
            let own = Dictionary(uniqueKeysWithValues: tensors.filter { $0.key.hasPrefix(prefix) }
                .map { (String($0.key.dropFirst(prefix.count)), $0.value) })
            try module.load(stateDict: own, source: path + " (\(name))")
        }
        for (name, optimizer) in optimizers {
            guard let blob = tensors[optimizerPrefix + name] else {
                throw ReIDError.data(path: path, reason: "has no state for optimiser '\(name)'")
            }
            try restore(optimizer, from: blob, source: path)
        }
        return Checkpoint(epoch: epoch, bestScore: metadata["best_score"].flatMap(Double.init) ?? -1,
                          bestEpoch: metadata["best_epoch"].flatMap(Int.init) ?? -1,
                          configYAML: metadata["config"] ?? "")
    }

    /// The optimiser's libtorch archive as bytes in a tensor.
    static func archive(_ optimizer: Optimizer) throws -> Tensor {
        let tmp = NSTemporaryDirectory() + "reid-optim-\(UUID().uuidString).pt"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try optimizer.save(to: tmp)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: tmp)))
        return try Tensor(bytes)
    }

    static func restore(_ optimizer: Optimizer, from blob: Tensor, source: String) throws {
        let tmp = NSTemporaryDirectory() + "reid-optim-\(UUID().uuidString).pt"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try Data(try blob.toArray(UInt8.self)).write(to: URL(fileURLWithPath: tmp))
        do { try optimizer.load(from: tmp) } catch {
            throw ReIDError.data(path: source, reason: "optimiser state does not fit this run's optimiser: \(error)")
        }
    }
}
