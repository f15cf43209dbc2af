import Foundation
import Torch

/// `log.jsonl`: one JSON object per finished epoch, appended. On resume, lines of epochs after
/// the checkpoint (written after it, before the run was killed) are dropped.
public struct TrainingLog {
    public let path: String

    public init(path: String) { self.path = path }

    public func append(_ entry: [String: Any]) throws {
        var data = try JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys])
        data.append(0x0A)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }

    public func entries() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Keeps entries of epochs ≤ `epoch` (1-based epoch numbers as logged).
    public func truncate(after epoch: Int) throws {
        let kept = entries().filter { ($0["epoch"] as? Int ?? 0) <= epoch }
        var text = ""
        for entry in kept {
            text += String(decoding: try JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys]), as: UTF8.self) + "\n"
        }
        try AtomicText.write(text, to: path)
    }
}

/// Small text files written atomically.
enum AtomicText {
    static func write(_ text: String, to path: String) throws {
        try AtomicWrite.write(Data(text.utf8), to: path)
    }
}
