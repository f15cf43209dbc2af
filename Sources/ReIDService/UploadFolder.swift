import Foundation
import Torch

/// The folder where the service keeps crops uploaded through `POST /v1/gallery`. The service
/// owns only the files it named itself (a lowercase UUID and an image extension), so deleting or
/// sweeping never touches anything else a user may keep in the same folder.
struct UploadFolder: Sendable {
    let path: String

    init(_ path: String) { self.path = (path as NSString).standardizingPath }

    static let extensions: Set<String> = ["jpg", "png", "bmp"]

    /// Writes `data` under a new name (temp file, then rename) and returns its path.
    func store(_ data: Data, extension ext: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let file = path + "/" + UUID().uuidString.lowercased() + "." + ext
        try AtomicWrite.write(data, to: file)
        return file
    }

    /// Whether `file` is a crop this folder's service stored.
    func owns(_ file: String) -> Bool {
        let standard = (file as NSString).standardizingPath
        guard (standard as NSString).deletingLastPathComponent == path else { return false }
        let name = (standard as NSString).lastPathComponent
        let stem = (name as NSString).deletingPathExtension
        return Self.extensions.contains((name as NSString).pathExtension) && UUID(uuidString: stem) != nil
            && stem == stem.lowercased()
    }

    /// Deletes `file` when the service stored it; other paths are left alone.
    func removeIfOwned(_ file: String) {
        if owns(file) { try? FileManager.default.removeItem(atPath: file) }
    }

    /// Deletes the stored crops that no gallery row points to; returns how many.
    func removeOrphans(keeping referenced: Set<String>) throws -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return 0 }
        let kept = Set(referenced.map { ($0 as NSString).standardizingPath })
        var removed = 0
        for name in names {
            let file = path + "/" + name
            guard owns(file), !kept.contains(file) else { continue }
            if (try? FileManager.default.removeItem(atPath: file)) != nil { removed += 1 }
        }
        return removed
    }
}
