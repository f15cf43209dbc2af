import ArgumentParser
import Foundation
import ReID
import Torch

struct Tracklets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn raw video (or MOT ground truth) into unlabeled single-camera training data.",
        discussion: """
            With --video, OpenCV decodes the video, its HOG people detector finds
            people in each frame, and boxes are linked into tracks. Given a re-ID
            model (--model/--weights or --run), a box continues a track only if
            it overlaps the track's predicted box (constant velocity, --min-iou)
            AND the model's embedding of it is within --max-appearance-distance
            (cosine) of the track's appearance, so people who cross keep their
            tracks; lost tracks are re-found by appearance. The summary counts
            the links overlap alone would have made but appearance refused
            (split) and the tracks re-found (merged). Without a model, boxes are
            linked by overlap alone and crossing people can swap tracks.
            The crops of each track are written as

              OUT/<video>/<track>/<frame>.jpg

            Tracks shorter than --min-length crops, or whose median box is shorter
            than --min-height pixels, are dropped. HOG's window is 64x128 pixels:
            people shorter than 128/--upscale pixels are not found, so raise
            --upscale for small people (it costs time quadratically).

            With --mot, the boxes come from a MOT-challenge sequence's ground
            truth (SEQ/gt/gt.txt, frames in SEQ/img1/) instead; each ground-truth
            id is one track, filtered the same way.

            `reid train --method remix --single-camera OUT` reads the result; it
            also accepts folders of untracked crops, OUT/<video>/*.jpg.

            Examples:
              reid tracklets --video street.avi --out data/single \\
                  --model onnx:osnet_x0_25_msmt17.onnx
              reid tracklets --video street.avi --out data/single --run runs/market
              reid tracklets --video /usr/share/doc/opencv-doc/examples/data/vtest.avi \\
                  --out data/single --frame-step 2 --upscale 1.3
              reid tracklets --mot MOT17/train/MOT17-02-FRCNN --out data/single
              reid tracklets --video street.avi --out data/single --montage tracks.jpg
            """
    )

    @Option(help: "Video file to detect and track people in.")
    var video: String?

    @Option(help: "MOT sequence folder (with gt/gt.txt and img1/) to crop ground-truth tracks from.")
    var mot: String?

    @Option(help: "Output folder; each video becomes OUT/<video name>/.")
    var out: String

    @Option(help: "Drop tracks with fewer crops than this.")
    var minLength: Int = 10

    @Option(help: "Drop tracks whose median box height is below this many pixels.")
    var minHeight: Double = 64

    @Option(help: "Least IoU between a track's last box (with a model: its box predicted at constant velocity) and a new box to continue the track (video).")
    var minIou: Double = 0.3

    @Option(help: "Largest cosine distance between a track's appearance and a box's embedding that may continue the track (video, with a model).")
    var maxAppearanceDistance: Double = 0.4

    @OptionGroup(title: "Re-ID model for linking by appearance (video; optional)") var model: ModelOptions

    @Option(help: "Detected frames a track may miss before it ends (video).")
    var maxGap: Int = 5

    @Option(help: "Run the detector on every N-th frame only (video).")
    var frameStep: Int = 1

    @Option(help: "Stop after this many frames; 0 reads the whole video.")
    var maxFrames: Int = 0

    @Option(help: "Scale frames by this before HOG detection (finds people shorter than 128 px).")
    var upscale: Double = 1

    @Option(help: "HOG SVM score a detection needs (0 is OpenCV's default; higher gives fewer, surer boxes).")
    var hitThreshold: Double = 0

    @Option(help: "Also draw contact sheets (one row of crops per track, 20 tracks a sheet: FILE, FILE-2, …) outside OUT.")
    var montage: String?

    @Flag(help: "Print a JSON summary.")
    var json = false

    func validate() throws {
        if (video == nil) == (mot == nil) { throw ValidationError("give exactly one of --video FILE or --mot SEQUENCE_DIR") }
        if minLength < 1 { throw ValidationError("--min-length must be at least 1") }
        if frameStep < 1 { throw ValidationError("--frame-step must be at least 1") }
        if upscale <= 0 { throw ValidationError("--upscale must be positive") }
        if !(0...1).contains(minIou) { throw ValidationError("--min-iou must be between 0 and 1") }
        if !(0...2).contains(maxAppearanceDistance) {
            throw ValidationError("--max-appearance-distance is a cosine distance: give a value between 0 and 2")
        }
        if mot != nil && model.isGiven { throw ValidationError("--mot crops ground-truth tracks; a model is only used with --video") }
    }

    func run() throws {
        Runtime.configure()
        var options = TrackletOptions()
        options.minLength = minLength
        options.minHeight = minHeight
        options.minIoU = minIou
        options.maxGap = maxGap
        options.frameStep = frameStep
        options.maxFrames = maxFrames
        options.maxAppearanceDistance = maxAppearanceDistance
        options.detector = HOGPeopleDetector(upscale: upscale, hitThreshold: hitThreshold)
        var embedder: CropEmbedder?
        if model.isGiven {
            let resolved = try model.resolve()
            embedder = CropEmbedder(model: try LoadedModel.load(resolved.spec, weights: resolved.weights),
                                    height: resolved.size.height, width: resolved.size.width)
        } else if video != nil && !json {
            print("note: no re-ID model given, so boxes are linked by overlap alone (crossing people can swap tracks); add --model or --run to link by appearance too")
        }
        let summary = try video.map {
            try VideoTracklets.extract(video: $0, out: out, options: options, appearance: embedder, quiet: json)
        }
            ?? MOTTracklets.extract(sequence: mot!, out: out, options: options, quiet: json)
        let folder = out + "/" + summary.video
        let sheets = try montage.flatMap { summary.kept.isEmpty ? nil : try TrackletMontage.write(videoFolder: folder, to: $0) } ?? []
        if json {
            try printJSON(["video": summary.video, "out": folder, "frames": summary.frames, "detections": summary.detections,
                           "tracks_found": summary.tracksFound, "tracks": summary.kept.count, "crops": summary.crops,
                           "crops_per_track": summary.kept, "dropped_short": summary.droppedShort,
                           "dropped_small": summary.droppedSmall, "seconds": summary.seconds, "linked_by": summary.linkedBy,
                           "split_by_appearance": summary.splitByAppearance,
                           "merged_by_appearance": summary.mergedByAppearance, "montages": sheets])
        } else {
            print(String(format: "%@: %d frames, %d detections → %d tracks found; kept %d tracks (%d crops), dropped %d short and %d small, in %.1f s → %@",
                         summary.video, summary.frames, summary.detections, summary.tracksFound, summary.kept.count,
                         summary.crops, summary.droppedShort, summary.droppedSmall, summary.seconds, folder))
            if summary.linkedBy == "overlap and appearance" {
                print("linked by overlap and appearance: \(summary.splitByAppearance) links refused by appearance (split), \(summary.mergedByAppearance) lost tracks re-found (merged)")
            }
            if !sheets.isEmpty { print("contact sheets: " + sheets.joined(separator: ", ")) }
        }
    }
}
