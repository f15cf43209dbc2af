import ArgumentParser
import Foundation
import ReID

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the built-in synthetic multi-camera pedestrian dataset.",
        discussion: """
            Procedural people (bodies, clothes, patterns, bags, poses, front/side/back
            views) seen by cameras that differ in background, light, colour cast,
            focus and scale. The folder follows the Market-1501 layout, so every
            command that takes --data reads it. Also written: person masks
            (mask/<name>), ground-truth novel views of training images turned by
            90/135/180/270 degrees (nv/<deg>/<name>), and single-camera tracks of
            unlabeled people (tracklets/<video>/<track>/<frame>.jpg).
            The same --seed always gives the same images. --camera-seed fixes the
            cameras alone: datasets with different --seed but one --camera-seed show
            different people in the same camera network (e.g. a labeled source and
            an unlabeled target of one network).

            Example:
              reid synth --out data/synth --ids 200 --cameras 4 --seed 0
            """
    )

    @Option(help: "Output folder (created if missing).")
    var out: String

    @Option(help: "Number of identities (half train, half test).")
    var ids: Int = 200

    @Option(help: "Number of cameras.")
    var cameras: Int = 4

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Seed of the cameras alone (default: --seed).")
    var cameraSeed: UInt64?

    @Flag(help: "Print a JSON summary.")
    var json = false

    func run() throws {
        var dataset = SyntheticDataset(ids: ids, cameras: cameras, seed: seed)
        dataset.cameraSeed = cameraSeed
        let summary = try dataset.write(to: out)
        if json {
            try printJSON(["ids": summary.ids, "cameras": summary.cameras, "train": summary.train,
                           "query": summary.query, "gallery": summary.gallery, "views": summary.views,
                           "tracklet_frames": summary.tracklets, "seconds": summary.seconds, "out": out])
        } else {
            print(String(format: "%d ids, %d cameras: %d train, %d query, %d gallery images, %d novel views, %d tracklet frames in %.1f s → %@",
                         summary.ids, summary.cameras, summary.train, summary.query, summary.gallery,
                         summary.views, summary.tracklets, summary.seconds, out))
        }
    }
}
