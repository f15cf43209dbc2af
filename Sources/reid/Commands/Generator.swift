import ArgumentParser
import Foundation
import ReID
import Torch

struct GeneratorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generator",
        abstract: "Train a view generator (a small DG-Net-like GAN) and write generated views of a dataset.",
        discussion: """
            The generator redraws a person with the appearance of one image on the
            structure (pose, shape) of a grey image: an identity/appearance encoder
            (a re-ID backbone, frozen, plus the image's coarse colour layout), a
            structure encoder, an AdaIN decoder and a patch discriminator, trained
            with adversarial, self-reconstruction, cross-reconstruction of identity,
            feature-consistency and identity-contrast losses. No labels are used:
            images of one pseudo-identity (clustered features) stand in for images
            of one person.

            Structure per generated view:
              renders:DIR  DIR/render_<deg>/<image name>, grey body renders (1:2)
              auto         the grey image of another person (another
                           pseudo-identity, another camera first): the person is
                           redrawn in that pose and scene (no mesh needed)

            Use the re-ID model you will adapt as the encoder (--init, e.g. an ONNX
            model), and judge the views with a different re-ID model (--judge).

            Example:
              reid generator train --data data/synth --out runs/gen \\
                  --init ../shared/weights/mobilenetv2_imagenet.safetensors --minutes 10
              reid generator generate --run runs/gen --data data/synth \\
                  --angles 90,135,180,270 --out out/views
              reid train --config configs/pplr.yaml --data data/synth \\
                  --views out/views --view-method inject --out runs/inject
            """,
        subcommands: [Train.self, Generate.self]
    )
}

extension GeneratorCommand {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the view generator on a dataset's training images.",
            discussion: """
                The run folder gets generator.json, pseudo_identities.json, last.safetensors
                (written atomically every --checkpoint-every steps), log.jsonl, samples.png
                and report.html. Running again with the same --out resumes from the last
                checkpoint; Ctrl-C stops cleanly.

                Example:
                  reid generator train --data data/synth --structure auto --out runs/gen --steps 1000
                """
        )
        @Option(help: "Dataset whose training images the generator learns from (any supported layout).")
        var data: String
        @Option(help: "Structure source: auto, or renders:DIR (DIR/render_<deg>/<name>).")
        var structure = "auto"
        @Option(help: "Run folder to create (or resume).")
        var out: String
        @Option(help: "Identity encoder backbone.")
        var backbone = "mobilenetv2"
        @Option(name: .customLong("init"), help: "Encoder weights (backbone .safetensors/.pth, or a re-ID run's best.safetensors).")
        var initialWeights: String?
        @Option(help: "Image size HEIGHTxWIDTH (multiples of 8).")
        var size = ImageSize(height: 128, width: 64)
        @Option(help: "Training steps (stop earlier with --minutes).")
        var steps = 20000
        @Option(help: "Stop after this many minutes of training in all; a resumed run counts its earlier time (0: no limit).")
        var minutes = 0.0
        @Option(help: "Images per batch (each also loads a partner and another image).")
        var batchSize = 8
        @Option(help: "Learning rate (Adam, betas 0.5/0.999).")
        var lr = 1e-4
        @Option(help: "DBSCAN radius of the pseudo-identities.")
        var eps = 0.5
        @Option(help: "Checkpoint, log line and sample grid (samples.png) every N steps.")
        var checkpointEvery = 250
        @Option(help: "Decay of the generator weights' moving average that samples and views come from (0: off).")
        var emaDecay = 0.999
        @Option(help: "Take the local mean of this odd size out of the grey structure input, so that the shade of clothes comes from the appearance (0: plain grey).")
        var structureDetail = 0
        @Flag(help: "Also paint the appearance's colour layout (8 stripes, head to feet) onto the structure code, so each colour lands at its height.")
        var colourMap = false
        @Option(help: "Random seed.")
        var seed: UInt64 = 0
        @Flag(help: "Print the summary as JSON.")
        var json = false

        func run() throws {
            Runtime.configure()
            var s = GeneratorSettings(data: data)
            s.structure = structure
            s.backbone = backbone
            s.initialWeights = initialWeights ?? ""
            s.height = size.height
            s.width = size.width
            s.steps = steps
            s.minutes = minutes
            s.batchSize = batchSize
            s.lr = lr
            s.eps = eps
            s.checkpointEvery = max(1, checkpointEvery)
            s.emaDecay = emaDecay
            s.structureDetail = structureDetail
            s.colourMap = colourMap
            s.seed = seed
            let training = GeneratorTraining(settings: s, runDirectory: out)
            do {
                let summary = try training.train()
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(summary), as: UTF8.self))
                } else {
                    print("trained \(summary.steps) steps in \(String(format: "%.0f", summary.seconds)) s: \(out)/report.html")
                }
            } catch let stop as StopRequested {
                FileHandle.standardError.write(Data("\(stop): run the same command again to resume\n".utf8))
                throw ExitCode(143)
            }
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write generated views of a dataset's training images as a view set (nv/<deg>/<name>).",
            discussion: """
                Also writes generation.json and report.html (original vs generated grid and
                the identity-preservation rate: Rank-1 of generated views retrieving their own
                original among all originals). The rate is judged on the written files by
                --judge, a re-ID model the generator did not use (any --model spec of reid
                extract: onnx:PATH, run:DIR, or a backbone with --judge-weights), and always
                also by the generator's own encoder, a lenient judge since its identity
                loss optimised exactly that. When the dataset names its people (Market
                layout), it also reports how often the nearest original shows the same
                person, and the same two rates for real new views (another camera's images
                of the person): a view in a new pose and scene resembles the person's other
                images as much as its source, so its own-image rate stays near that ceiling.

                Example:
                  reid generator generate --run runs/gen --data data/synth --angles 90,135,180,270 --out out/views
                  reid generator generate --run runs/gen --data data/cuhk03 --out out/views \
                      --judge run:runs/pplr-imagenet
                """
        )
        @Option(name: .customLong("run"), help: "A run folder of reid generator train.")
        var runFolder: String
        @Option(help: "Dataset whose training images get views.")
        var data: String
        @Option(help: "Angles (degrees), comma-separated.")
        var angles = "90,135,180,270"
        @Option(help: "View set folder to write.")
        var out: String
        @Option(help: "Re-ID model that judges identity preservation (onnx:PATH, run:DIR, or a backbone name).")
        var judge: String?
        @Option(help: "Weights of a --judge backbone.")
        var judgeWeights: String?
        @Option(help: "Input size HEIGHTxWIDTH of the judge (default: a run's own size, else 256x128).")
        var judgeSize: ImageSize?
        @Flag(help: "Print the summary as JSON.")
        var json = false

        func run() throws {
            Runtime.configure()
            if judgeWeights != nil && judge == nil { throw ValidationError("--judge-weights needs --judge (the backbone they belong to)") }
            let parsed = angles.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--angles '\(angles)': give degrees, comma-separated, e.g. 90,135,180,270")
            }
            var generation = ViewGeneration(runPath: runFolder, data: data, angles: parsed.map { $0! }, out: out)
            generation.judge = judge
            generation.judgeWeights = judgeWeights
            generation.judgeSize = judgeSize.map { ($0.height, $0.width) }
            let summary = try generation.run()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                print(String(format: "%d views written to %@; identity preservation %.1f%% (chance %.3f%%; by the generator's encoder %.1f%%): %@/report.html",
                             summary.written, out, summary.identityPreservation * 100, summary.chance * 100,
                             (summary.identityPreservationByEncoder ?? .nan) * 100, out))
                if let person = summary.personPreservation {
                    print(String(format: "same person as the source: %.1f%% (chance %.2f%%)%@", person * 100, (summary.personChance ?? .nan) * 100,
                                 summary.realViews.map { String(format: "; real new views reach %.1f%% own image, %.1f%% same person",
                                                                $0.image * 100, ($0.person ?? .nan) * 100) } ?? ""))
                }
            }
        }
    }
}
