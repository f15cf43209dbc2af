import Foundation

/// Camera folders of an unlabeled crop collection: `cam1/`, `c2/`, `camera_03/`, `Cam-4/` …
/// (case-insensitive; "cam", "camera" or "c", an optional `_` or `-`, then the number). Numbers
/// follow the folder names as a person wrote them (cam1 is the first camera); like Market-1501's
/// `_c1` they become 0-based camera indices inside SwiftReID.
public enum CameraFolderName {
    /// The 0-based camera of one folder name, or nil when it is not a camera folder.
    public static func camera(_ component: String) -> Int? {
        let lower = component.lowercased()
        for prefix in ["camera", "cam", "c"] where lower.hasPrefix(prefix) {
            var rest = lower.dropFirst(prefix.count)
            if rest.first == "_" || rest.first == "-" { rest = rest.dropFirst() }
            guard !rest.isEmpty, rest.count <= 6, rest.allSatisfy(\.isASCII), rest.allSatisfy(\.isNumber),
                  let n = Int(rest), n >= 1 else { return nil }
            return n - 1
        }
        return nil
    }

    /// The camera of the camera folder nearest to `path`'s file, looking only below `root`.
    public static func camera(ofFile path: String, below root: String) -> Int? {
        let relative = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
        let folders = relative.split(separator: "/").dropLast()
        for folder in folders.reversed() {
            if let camera = camera(String(folder)) { return camera }
        }
        return nil
    }
}
