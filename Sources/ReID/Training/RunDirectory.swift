import Foundation

/// The folder of one training run:
/// - `config.yaml`: the effective config;
/// - `log.jsonl`: one JSON object per epoch;
/// - `last.safetensors`, `best.safetensors`: checkpoints (see `Checkpoint`), written atomically;
/// - `report.html` and its figures; `eval/` holds the latest evaluation report.
public struct RunDirectory: Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public var config: String { path + "/config.yaml" }
    public var log: String { path + "/log.jsonl" }
    public var last: String { path + "/last.safetensors" }
    public var best: String { path + "/best.safetensors" }
    public var report: String { path + "/report.html" }
    public var evaluation: String { path + "/eval" }

    public func create() throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ReIDError.data(path: path, reason: "cannot create the run folder: \(error.localizedDescription)")
        }
    }

    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: last) }
}
