import ArgumentParser
import Foundation
import ReID

extension DatasetCommand {
    /// Contact sheets of a folder of tracklets, for checking tracks by eye after `reid tracklets`.
    struct Montage: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw contact sheets of a video's tracklets: one row of crops per track.",
            discussion: """
                VIDEO_FOLDER is one video of single-camera data, VIDEO_FOLDER/<track>/<frame>.jpg,
                as `reid tracklets` writes it. Each track becomes one row of --per-track crops
                spread evenly along it, so a track that switches person shows a different
                person partway along its row. --tracks-per-sheet rows go on one sheet; more
                tracks give more sheets: OUT, then OUT with -2, -3, … before its extension.

                `reid tracklets --montage FILE` draws the same sheets right after tracking;
                this command redraws them from the folder without tracking again.

                Examples:
                  reid dataset montage data/single/vtest --out vtest-tracks.png
                  reid dataset montage data/single/street --out street.png --tracks-per-sheet 10 --json
                """
        )

        @Argument(help: "One video's folder of track folders (DIR/<video> from `reid tracklets`).")
        var videoFolder: String

        @Option(help: "Image file for the first sheet (.png or .jpg).")
        var out: String

        @Option(help: "Tracks (rows) per sheet.")
        var tracksPerSheet: Int = 20

        @Option(help: "Crops shown per track.")
        var perTrack: Int = 8

        @Flag(help: "Print the written sheets as JSON.")
        var json = false

        func validate() throws {
            if tracksPerSheet < 1 { throw ValidationError("--tracks-per-sheet must be at least 1") }
            if perTrack < 1 { throw ValidationError("--per-track must be at least 1") }
        }

        func run() throws {
            let sheets = try TrackletMontage.write(videoFolder: videoFolder, to: out, tracksPerSheet: tracksPerSheet,
                                                   perTrack: perTrack)
            if json {
                try printJSON(["video_folder": videoFolder, "sheets": sheets])
            } else {
                print("\(sheets.count) sheet\(sheets.count == 1 ? "" : "s"): " + sheets.joined(separator: ", "))
            }
        }
    }
}
