import Foundation

/// The folder of one training run:
/// - `config.yaml`: the effective config;
/// - `log.jsonl`: one JSON object per epoch;
/// - `last.safetensors`, `best.safetensors`: checkpoints (see `Checkpoint`), written atomically;
/// - `report.html` and its figures; `eval/` holds the latest evaluation report;
/// - `backbone.onnx`: for a model built on an ONNX file, a copy of that graph, so the run keeps
///   working when the original file moves or changes.
public struct RunDirectory: Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public var config: String { path + "/config.yaml" }
    public var log: String { path + "/log.jsonl" }
    public var last: String { path + "/last.safetensors" }
    public var best: String { path + "/best.safetensors" }
    public var report: String { path + "/report.html" }
    public var evaluation: String { path + "/eval" }
    public var backboneGraph: String { path + "/backbone.onnx" }

    /// Copies the ONNX file a model is built on into the run (temp file, then rename).
    public func keepBackboneGraph(from source: String) throws {
        let temporary = backboneGraph + ".tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
        } catch {
            throw ReIDError.data(path: source, reason: "cannot copy the ONNX backbone into the run \(path): \(error.localizedDescription)")
        }
        guard rename(temporary, backboneGraph) == 0 else {
            throw ReIDError.data(path: backboneGraph, reason: "cannot write the backbone's copy (errno \(errno))")
        }
    }

    public func create() throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ReIDError.data(path: path, reason: "cannot create the run folder: \(error.localizedDescription)")
        }
    }

    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: last) }

    /// The files of a run this folder already holds (empty for a new or empty folder).
    public var existingRunFiles: [String] {
        [config, log, last, best, report].filter { FileManager.default.fileExists(atPath: $0) }
            .map { ($0 as NSString).lastPathComponent }
    }

    /// Refuses to start a new run over an existing one unless `overwrite`, which then removes
    /// the old run's files (other files in the folder stay).
    public func prepareForNewRun(overwrite: Bool) throws {
        let existing = existingRunFiles
        guard !existing.isEmpty else { return }
        guard overwrite else {
            throw ReIDError.data(path: path, reason: "already holds a run (\(existing.joined(separator: ", "))); continue it "
                                 + "with --resume \(path), start over with --overwrite, or give another --out")
        }
        for file in [config, log, last, best, report, evaluation, backboneGraph] { try? FileManager.default.removeItem(atPath: file) }
    }

    /// Makes best.safetensors a copy of last.safetensors (temp file, then rename): the best
    /// checkpoint of a run that is not evaluated is its last one.
    public func copyLastToBest() throws {
        let temporary = best + ".tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: last, toPath: temporary)
        guard rename(temporary, best) == 0 else {
            throw ReIDError.data(path: best, reason: "cannot write the best checkpoint (errno \(errno))")
        }
    }
}
