import Foundation
import Torch

/// Writes one video's crops as `<out>/<video>/<track>/<frame>.jpg`: everything goes to a hidden
/// `.<video>.partial` folder first, which replaces `<out>/<video>` only when complete, so an
/// interrupted run never leaves a half-written video behind.
struct TrackletWriter {
    let final: String
    let partial: String

    init(out: String, video: String) throws {
        guard !video.isEmpty, !video.contains("/") else {
            throw ReIDError.invalidOption("'\(video)' is not usable as a video folder name")
        }
        final = out + "/" + video
        partial = out + "/." + video + ".partial"
        let fm = FileManager.default
        try? fm.removeItem(atPath: partial)
        do {
            try fm.createDirectory(atPath: partial, withIntermediateDirectories: true)
        } catch {
            throw ReIDError.data(path: out, reason: "cannot create the output folder: \(error.localizedDescription)")
        }
    }

    static func trackFolder(_ index: Int) -> String { String(format: "%04d", index) }

    /// Writes the crop of `box` in `frame` for the track numbered `track`.
    func write(_ image: Image, box: DetectionBox, track: Int, frame: Int) throws {
        let folder = partial + "/" + TrackletWriter.trackFolder(track)
        if !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        guard let crop = image.cropped(x: Int(box.x.rounded()), y: Int(box.y.rounded()),
                                       width: Int(box.width.rounded()), height: Int(box.height.rounded())) else { return }
        try crop.write(to: folder + "/" + String(format: "%06d.jpg", frame))
    }

    /// Moves the finished video into place (replacing an older one).
    func finish() throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: final) { try fm.removeItem(atPath: final) }
        try fm.moveItem(atPath: partial, toPath: final)
    }
}

/// What one video gave.
public struct TrackletSummary: Sendable, Codable {
    public var video: String
    public var frames = 0
    public var detections = 0
    public var tracksFound = 0
    public var droppedShort = 0
    public var droppedSmall = 0
    /// Crops per kept track, in track order.
    public var kept: [Int] = []
    public var seconds = 0.0
    /// How boxes were linked ("overlap", or "overlap and appearance"), and with appearance the
    /// links overlap alone would have made but appearance refused, and lost tracks re-found.
    public var linkedBy = "overlap"
    public var splitByAppearance = 0
    public var mergedByAppearance = 0

    public var crops: Int { kept.reduce(0, +) }
}

extension TrackletOptions {
    /// Splits tracks (as lists of boxes) into kept ones and counts of the dropped.
    func filter<T>(_ tracks: [T], boxes: (T) -> [DetectionBox], summary: inout TrackletSummary) -> [T] {
        tracks.filter { track in
            let b = boxes(track)
            if b.count < minLength { summary.droppedShort += 1; return false }
            let heights = b.map(\.height).sorted()
            if heights[heights.count / 2] < minHeight { summary.droppedSmall += 1; return false }
            return true
        }
    }
}
