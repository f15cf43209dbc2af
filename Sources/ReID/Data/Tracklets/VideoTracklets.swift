import Foundation
import Torch

/// Raw video → single-camera training data: OpenCV decodes the frames, the HOG people detector
/// finds people, a tracker links them into tracks (`AppearanceTracker` with the re-ID model's
/// embedding when `appearance` is given, else `IoUTracker` by overlap alone), short tracks and
/// small people are dropped, and the crops of each kept track are written as
/// `<out>/<video>/<track>/<frame>.jpg`.
public enum VideoTracklets {
    public static func extract(video path: String, out: String, options: TrackletOptions = TrackletOptions(),
                               appearance: CropEmbedder? = nil, quiet: Bool = false) throws -> TrackletSummary {
        let started = Date()
        let reader = try VideoReader(path: path)
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var summary = TrackletSummary(video: name)
        guard options.frameStep >= 1 else { throw ReIDError.invalidOption("--frame-step must be at least 1") }
        var tracker = IoUTracker(minIoU: options.minIoU, maxGap: options.maxGap * options.frameStep)
        var byAppearance = AppearanceTracker(minIoU: options.minIoU, maxGap: options.maxGap * options.frameStep,
                                             maxAppearanceDistance: options.maxAppearanceDistance,
                                             frameStep: options.frameStep)
        summary.linkedBy = appearance == nil ? "overlap" : "overlap and appearance"
        let writer = try TrackletWriter(out: out, video: name)
        let expected = options.maxFrames > 0 ? min(options.maxFrames, max(reader.frameCount, 1)) : reader.frameCount
        let progress = Progress(total: expected, label: "tracking \(name)", unit: "frames", quiet: quiet)
        // Crops are written per tracker id as they are found; dropped tracks are deleted at the end.
        var index = 0
        while options.maxFrames == 0 || index < options.maxFrames, let frame = try reader.next() {
            defer { index += 1; progress.advance(1) }
            guard index % options.frameStep == 0 else { continue }
            var boxes = try options.detector.detect(frame)
            if options.tightenBoxes { boxes = boxes.map(tightened) }
            summary.detections += boxes.count
            if let appearance {
                try byAppearance.update(frame: index, boxes: boxes, embeddings: appearance.embed(frame, boxes: boxes))
            } else {
                tracker.update(frame: index, boxes: boxes)
            }
            for track in (appearance == nil ? tracker.tracks : byAppearance.tracks) where track.boxes.last!.frame == index {
                try writer.write(frame, box: track.boxes.last!.box, track: track.id, frame: index)
            }
        }
        summary.frames = index
        guard index > 0 else { throw ReIDError.data(path: path, reason: "has no decodable frames") }
        let all = appearance == nil ? tracker.tracks : byAppearance.tracks
        summary.splitByAppearance = byAppearance.split
        summary.mergedByAppearance = byAppearance.merged
        summary.tracksFound = all.count
        let kept = options.filter(all, boxes: { $0.boxes.map(\.box) }, summary: &summary)
        let keptIDs = Set(kept.map(\.id))
        let fm = FileManager.default
        for track in all where !keptIDs.contains(track.id) {
            try? fm.removeItem(atPath: writer.partial + "/" + TrackletWriter.trackFolder(track.id))
        }
        // Renumber kept tracks densely: 0000, 0001, …
        for (n, track) in kept.enumerated() where n != track.id {
            try fm.moveItem(atPath: writer.partial + "/" + TrackletWriter.trackFolder(track.id),
                            toPath: writer.partial + "/" + TrackletWriter.trackFolder(n))
        }
        summary.kept = kept.map(\.boxes.count)
        try writer.finish()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// The HOG window's margin removed (10 % each side horizontally, 7 % top, 13 % bottom).
    static func tightened(_ b: DetectionBox) -> DetectionBox {
        DetectionBox(x: b.x + 0.1 * b.width, y: b.y + 0.07 * b.height, width: 0.8 * b.width, height: 0.8 * b.height,
                     score: b.score)
    }
}
