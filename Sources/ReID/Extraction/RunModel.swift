import Foundation
import Torch

/// A training run used as a model: its config.yaml names the architecture (backbone, or the ONNX
/// graph it was built on, and the head: pooling, parts), the input size and the training data's
/// normalisation; its best (or last) checkpoint holds the weights. `--run DIR` and the model
/// spec `run:DIR` load it without `--model`, `--weights` or `--size`.
public struct RunModel: Sendable {
    public static let prefix = "run:"

    /// The run folder, absolute.
    public let directory: String
    public let config: TrainingConfig
    /// The checkpoint used, absolute: best.safetensors, or last.safetensors when the run has no best.
    public let checkpoint: String

    public var height: Int { config.data.height }
    public var width: Int { config.data.width }
    /// The model spec that names this run (`run:/abs/dir`), as galleries record it.
    public var spec: String { Self.prefix + directory }

    /// The run folder of a `run:DIR` spec, or nil for other specs.
    public static func directory(of spec: String) -> String? {
        spec.hasPrefix(prefix) ? String(spec.dropFirst(prefix.count)) : nil
    }

    /// Reads the run in `directory`; `checkpoint` is "best", "last" or a file path. A checkpoint
    /// file given as `directory` (`runs/x/last.safetensors`) means that checkpoint of its run.
    public init(directory: String, checkpoint: String = "best") throws {
        var directory = directory, checkpoint = checkpoint
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), !isFolder.boolValue {
            checkpoint = directory
            directory = (URL(fileURLWithPath: directory).standardizedFileURL.path as NSString).deletingLastPathComponent
        }
        let run = RunDirectory(URL(fileURLWithPath: directory).standardizedFileURL.path)
        guard FileManager.default.fileExists(atPath: run.config) else {
            throw ReIDError.data(path: directory, reason: "is not a training run folder (no config.yaml); give the folder `reid train --out` wrote")
        }
        let file: String
        switch checkpoint {
        case "best": file = FileManager.default.fileExists(atPath: run.best) ? run.best : run.last
        case "last": file = run.last
        default: file = URL(fileURLWithPath: checkpoint).standardizedFileURL.path
        }
        guard FileManager.default.fileExists(atPath: file) else {
            throw ReIDError.data(path: directory, reason: "has no checkpoint \((file as NSString).lastPathComponent) yet; "
                                 + "let the run finish its first epoch, or name another with --checkpoint")
        }
        self.directory = run.path
        self.config = try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(), yamlFile: run.config)
        self.checkpoint = file
    }

    /// The run's network with its checkpoint loaded, in evaluation mode, on the CPU.
    public func model() throws -> ReIDModel {
        var section = config.model.resolved
        // A model built on an ONNX file uses the run's own copy of that graph when it has one.
        let copy = RunDirectory(directory).backboneGraph
        if BackboneRegistry.onnxPath(section.backbone) != nil, FileManager.default.fileExists(atPath: copy) {
            section.backbone = BackboneRegistry.onnxPrefix + copy
        }
        let model = try ReIDModel(backbone: section.backbone, options: BackboneOptions(lastStride: section.lastStride),
                                  head: try section.head(classes: 0), keepONNXEmbedding: section.onnxEmbedding)
        try model.loadWeights(from: checkpoint, usage: .inference)
        model.eval()
        model.requiresGrad(false)
        return model
    }

    /// Throws when a flag given beside `--run` contradicts the run.
    public func requireInput(height: Int, width: Int, flag: String = "--size") throws {
        guard height == self.height && width == self.width else {
            throw ReIDError.invalidOption("\(flag) \(height)x\(width) contradicts the run \(directory), which was trained "
                                          + "at \(self.height)x\(self.width); drop \(flag) (the run's size is used)")
        }
    }
}
