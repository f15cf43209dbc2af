import Foundation
import Torch

/// A view generator run folder: `generator.json` (settings), `pseudo_identities.json`,
/// `last.safetensors` (encoder, trained modules, their moving average `ema.*` and optimisers,
/// written atomically),
/// `log.jsonl`, `samples.png` and `report.html`.
public struct GeneratorRun {
    public let path: String
    public init(_ path: String) { self.path = path }
    public var settings: String { path + "/generator.json" }
    public var identities: String { path + "/pseudo_identities.json" }
    public var checkpoint: String { path + "/last.safetensors" }
    public var log: String { path + "/log.jsonl" }
    public var report: String { path + "/report.html" }

    static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicWrite.write(try encoder.encode(value), to: path)
    }

    static func readJSON<T: Decodable>(_ type: T.Type, from path: String, what: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReIDError.data(path: path, reason: "is missing; is this a run folder of reid generator train (\(what))?")
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw ReIDError.data(path: path, reason: "cannot be read (\(what)): \(error)")
        }
    }

    /// The generator with the encoder described by `settings`. An ONNX file as initial weights is
    /// the encoder's architecture too, so it is kept even when `loadWeights` is false (resume,
    /// generation: the weights then come from the checkpoint).
    static func makeGenerator(_ s: GeneratorSettings, loadWeights: Bool = true, device: Device) throws -> ViewGenerator {
        var section = TrainingConfig.ModelSection()
        section.backbone = s.backbone
        section.lastStride = 2
        section.initialWeights = s.initialWeights
        section = section.resolved
        if !loadWeights { section.initialWeights = "" }
        let encoder = try ModelFactory.make(section, classes: 0, device: device, channelsLast: false)
        let generator = try ViewGenerator(identity: encoder, structureDetail: s.structureDetail, colourMap: s.colourMap)
        try generator.to(device: device)
        return generator
    }

    /// Loads a trained generator for generation.
    public static func load(_ path: String, device: Device = .cpu) throws -> (ViewGenerator, GeneratorSettings, PseudoIdentities) {
        let run = GeneratorRun(path)
        let settings = try readJSON(GeneratorSettings.self, from: run.settings, what: "generator settings")
        let identities = try readJSON(PseudoIdentities.self, from: run.identities, what: "pseudo-identities")
        let generator = try makeGenerator(settings, loadWeights: false, device: device)
        guard FileManager.default.fileExists(atPath: run.checkpoint) else {
            throw ReIDError.data(path: run.checkpoint, reason: "is missing; train the generator first (reid generator train --out \(path))")
        }
        // The moving average of the generator weights when the run kept one, else the live weights.
        let emaInto = generator.emaModules
        do {
            _ = try Checkpoint.restore(from: run.checkpoint, model: generator.identity, modules: emaInto, optimizers: [:])
        } catch {
            _ = try Checkpoint.restore(from: run.checkpoint, model: generator.identity, modules: generator.trainable, optimizers: [:])
        }
        generator.identity.eval()
        for m in generator.trainable.values { m.requiresGrad(false) }
        return (generator, settings, identities)
    }
}
