import Foundation

/// Unlabeled single-camera data: one folder per video, holding either track folders
/// (`<video>/<track>/<frame>.jpg`, as `reid tracklets` and `reid synth` write) or untracked crops
/// (`<video>/*.jpg`), or both. Records carry the video's index as their camera, pid −1.
/// Hidden folders (a `.partial` being written) are skipped.
public struct SingleCameraData: Sendable {
    public let root: String
    /// Video folder names, sorted; `records[i].camera` indexes this.
    public let videos: [String]
    public let records: [ImageRecord]
    /// The track of each record within its video (−1 for an untracked crop).
    public let tracks: [Int]

    public init(root: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReIDError.data(path: root, reason: "no such folder; give a folder of videos (<video>/<track>/*.jpg or <video>/*.jpg), e.g. from `reid tracklets`")
        }
        let root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.root = root
        let names = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var videos: [String] = [], records: [ImageRecord] = [], tracks: [Int] = []
        for name in names {
            let folder = root + "/" + name
            guard fm.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let entries = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            var found: [(String, Int)] = []
            var trackNumber = 0
            for entry in entries {
                let path = folder + "/" + entry
                if ImageFolder.extensions.contains((entry as NSString).pathExtension.lowercased()) {
                    found.append((path, -1))
                } else if fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
                          let images = try? ImageFolder.list(path) {
                    found += images.map { ($0, trackNumber) }
                    trackNumber += 1
                }
            }
            guard !found.isEmpty else { continue }
            let camera = videos.count
            videos.append(name)
            records += found.map { ImageRecord(path: $0.0, pid: -1, camera: camera) }
            tracks += found.map(\.1)
        }
        guard !videos.isEmpty else {
            throw ReIDError.data(path: root, reason: "holds no video folders with images; expected <video>/<track>/*.jpg or <video>/*.jpg")
        }
        self.videos = videos
        self.records = records
        self.tracks = tracks
    }

    /// Indices of the records of each video.
    public var recordsByVideo: [[Int]] {
        var out = [[Int]](repeating: [], count: videos.count)
        for (i, r) in records.enumerated() { out[r.camera].append(i) }
        return out
    }
}
