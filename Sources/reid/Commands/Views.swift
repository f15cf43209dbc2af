import ArgumentParser
import Foundation
import ReID

struct ViewsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "views",
        abstract: "Check view sets: extra views of training images for PPLR (generated, rendered or ground truth).",
        discussion: """
            A view set is a folder in GCL's layout:
              nv/<degrees>/<original file name>   one folder per body rotation
              mask/<original file name>           optional person masks (white on black)
            It may come from reid generator generate, GCL's generate_data.py, mesh
            renders, or the synthetic dataset (reid synth writes nv/ and mask/ next
            to its images). Train with it: reid train --views DIR --view-method ...

            Example:
              reid views inspect data/synth --data data/synth
            """,
        subcommands: [Inspect.self]
    )
}

extension ViewsCommand {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Coverage of a view set: views per angle, originals missing angles, misnamed files.",
            discussion: """
                Without --data the originals are every name found under nv/;
                with --data they are the dataset's training images, so views whose names
                match no training image are listed too (orphans).

                Exit status: 0 when every original has every angle and nothing is
                misnamed, 1 otherwise.

                Examples:
                  reid views inspect out/views
                  reid views inspect out/views --data data/market1501 --json
                """
        )

        @Argument(help: "View set folder (holds nv/).")
        var dir: String

        @Option(help: "Dataset whose training images are the originals (any supported layout).")
        var data: String?

        @Flag(help: "Print one JSON object on standard output instead of text.")
        var json = false

        @Option(help: "With text output: list at most this many originals with missing angles.")
        var maxMissing: Int = 10

        func run() throws {
            let set = try ViewSet.load(dir)
            let originals = try data.map { try DatasetLayout.load($0, format: nil).train.map(\.name) }
            let coverage = set.coverage(originals: originals)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(coverage), as: UTF8.self))
            } else {
                print("\(dir): \(coverage.originals) originals\(data.map { " (training images of \($0))" } ?? ""), angles \(coverage.angles.map(String.init).joined(separator: ", "))")
                print("angle   views  coverage")
                for a in coverage.perAngle {
                    let pct = coverage.originals > 0 ? 100 * Double(a.views) / Double(coverage.originals) : 0
                    print(String(format: "%5d  %6d  %6.1f%%", a.angle, a.views, pct))
                }
                print("masks: \(coverage.masks) of \(coverage.originals)")
                if !coverage.missing.isEmpty {
                    print("\(coverage.missing.count) original(s) lack an angle:")
                    for m in coverage.missing.prefix(maxMissing) {
                        print("  \(m.name): missing \(m.angles.map(String.init).joined(separator: ", "))")
                    }
                    if coverage.missing.count > maxMissing { print("  … \(coverage.missing.count - maxMissing) more (--json lists all)") }
                }
                if !coverage.orphans.isEmpty {
                    print("\(coverage.orphans.count) view name(s) match no training image, e.g. \(coverage.orphans.prefix(3).joined(separator: ", "))")
                }
                for p in coverage.problems { print("problem: \(p.path) \(p.reason)") }
                print(coverage.complete ? "complete" : "incomplete")
            }
            if !coverage.complete { throw ExitCode(1) }
        }
    }
}
