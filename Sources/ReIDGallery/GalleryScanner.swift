import Foundation
import ReID

/// Finds the images of a gallery folder (recursively) and what their paths say about them:
/// the camera from a Market-1501 style name (`0001_c2s1_…` → camera 1) or from a camera folder
/// (`cam2/`, `c2/`, `camera_02/` → camera 1 too: cameras are 0-based everywhere, see `reid --help`),
/// a track id from a numeric folder directly below the camera folder (`tracklets/cam1/007/…` →
/// track 7), and the capture time from the file's modification time.
public enum GalleryScanner {
    public static func scan(_ folder: String) throws -> [GalleryItem] {
        let paths = try ImageFolder.list(folder, recursive: true).sorted()
        guard !paths.isEmpty else {
            throw GalleryError.file(folder, "holds no images (jpg, jpeg, png, bmp); point --gallery at a folder of person crops")
        }
        return paths.map(describe)
    }

    /// Camera, track, pid and time of one image path (feature left empty).
    public static func describe(_ path: String) -> GalleryItem {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let components = absolute.split(separator: "/").map(String.init)
        var camera = -1, track: Int? = nil, pid = -1
        if let parsed = MarketNaming.parse(absolute) {
            camera = parsed.camera
            pid = parsed.pid
        }
        for (i, component) in components.enumerated().dropLast() {
            guard let n = CameraFolderName.camera(component) else { continue }
            if camera < 0 { camera = n }
            if i + 2 < components.count, let t = Int(components[i + 1]) { track = t }
        }
        let time = (try? FileManager.default.attributesOfItem(atPath: absolute)[.modificationDate] as? Date)?
            .timeIntervalSince1970 ?? 0
        return GalleryItem(path: absolute, camera: camera, time: time, trackID: track, pid: pid, feature: [])
    }
}
