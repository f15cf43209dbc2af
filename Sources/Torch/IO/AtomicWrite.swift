import Foundation

/// Writes go to a temporary file in the same folder and are then renamed over the target, so a
/// killed process leaves either the old file or the new one, never half of one.
public enum AtomicWrite {
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { tmp in try data.write(to: URL(fileURLWithPath: tmp)) }
    }

    /// Calls `body` with a temporary path to fill, then renames it to `path`.
    public static func write(to path: String, _ body: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let tmp = folder + "/." + url.lastPathComponent + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try body(tmp)
            if rename(tmp, path) != 0 {
                throw TorchError.file(path: path, reason: "cannot rename temporary file: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
    }
}
