import ArgumentParser
import Foundation
import ReID

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Look at re-ID datasets on disk before training or evaluating on them.",
        discussion: """
            Layouts read (pick one with --format, or let it be detected):
            \(DatasetLayout.summary)

            Every layout ends up as three splits (train, query, gallery) with 0-based
            cameras; junk images (pid −1) are dropped, Market-1501 distractors (pid 0)
            stay in the gallery, and training pids are relabelled 0..<P.

            Example:
              reid dataset inspect data/market1501
            """,
        subcommands: [Inspect.self, Montage.self]
    )
}

extension DatasetCommand {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count images, identities and cameras per split, and find bad files.",
            discussion: """
                Reads the dataset the way training and evaluation will, but collects
                problems instead of stopping at the first: files whose names do not
                follow the layout, images that cannot be read, and empty splits.
                Each image's header is checked (format and size, a few bytes per file);
                --check-images decodes every image fully with OpenCV, which is slower
                but also finds files damaged after their header.

                Exit status: 0 when no problem is found, 1 otherwise, so scripts can
                check a dataset before a long run.

                Examples:
                  reid dataset inspect data/market1501
                  reid dataset inspect data/MSMT17_V1 --format msmt17
                  reid dataset inspect data/cuhk03-np --format cuhk03-detected --json
                  reid dataset inspect my_images.csv --check-images
                """
        )

        @Argument(help: "Dataset folder (or .csv manifest).")
        var root: String

        @Option(help: ArgumentHelp("Layout: \(DatasetLayout.allCases.map(\.format).joined(separator: "|")). Detected when omitted.",
                                   valueName: "format"))
        var format: String?

        @Flag(help: "Decode every image with OpenCV instead of checking headers only (slow).")
        var checkImages = false

        @Flag(help: "Print one JSON object on standard output instead of text.")
        var json = false

        @Option(help: "With text output: list at most this many problems.")
        var maxIssues: Int = 20

        func run() throws {
            let layout = try format.map { try DatasetLayout(format: $0) }
            let report = try DatasetInspection.inspect(root, format: layout, decode: checkImages)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                printText(report)
            }
            let problems = report.issues.filter { $0.kind != .note }
            if !problems.isEmpty { throw ExitCode(1) }
        }

        func printText(_ r: DatasetInspection) {
            print("\(r.root): \(r.layout) (\(r.detected ? "detected" : "given"); --format \(r.format))")
            print("split      images     ids  cameras  images per camera (0-based)")
            for split in DatasetSplit.allCases {
                let s = r[split]
                let perCamera = s.imagesPerCamera.sorted { Int($0.key)! < Int($1.key)! }
                    .map { "\($0.key == "-1" ? "?" : "c" + $0.key) \($0.value)" }.joined(separator: ", ")
                var extra: [String] = []
                if s.distractors > 0 { extra.append("\(s.distractors) distractors (pid 0)") }
                if s.unlabeled > 0 { extra.append("\(s.unlabeled) unlabeled") }
                let tail = extra.isEmpty ? "" : "  [" + extra.joined(separator: ", ") + "]"
                print(split.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                      + String(format: "%8d %7d %8d  ", s.images, s.ids, s.cameras)
                      + (perCamera.isEmpty ? "-" : perCamera) + tail)
            }
            print("training identities: \(r.trainIDs)\(r.trainIDs > 0 ? " (labels 0…\(r.trainIDs - 1))" : ""); cameras: \(r.cameras)")
            let checked = r.train.images + r.query.images + r.gallery.images
            let how = r.imageCheck == "decode" ? "decoded" : "header-checked"
            var sizes = ""
            if r.maxSize[0] > 0 {
                sizes = "; sizes \(r.minSize[0])x\(r.minSize[1]) to \(r.maxSize[0])x\(r.maxSize[1]) (height x width)"
            }
            print("images: \(checked) \(how), \(r.unreadable) unreadable, \(r.misnamed) misnamed\(sizes)")
            let notes = r.issues.filter { $0.kind == .note }
            for note in notes { print("note: \(note)") }
            let problems = r.issues.filter { $0.kind != .note }
            if problems.isEmpty {
                print("no problems found")
                return
            }
            print("\(problems.count) problem\(problems.count == 1 ? "" : "s"):")
            for issue in problems.prefix(max(0, maxIssues)) { print("  \(issue.kind.rawValue): \(issue)") }
            if problems.count > maxIssues {
                print("  … and \(problems.count - maxIssues) more (--json lists them all)")
            }
        }
    }
}
