import ArgumentParser
import Foundation
import ReID
import Torch

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a re-ID model with one of the registered methods.",
        discussion: """
            A run folder holds config.yaml (the effective config), log.jsonl (one
            line per epoch), last.safetensors and best.safetensors (weights plus
            optimiser state, written atomically) and report.html.

            The config is YAML over the defaults of the method's recipe (see
            configs/); --set changes one key, e.g. --set training.epochs=30.
            A typo in a key fails with the key named.

            Examples:
              reid train --method supervised --data data/market1501 \\
                  --config configs/supervised.yaml --out runs/bot
              reid train --resume runs/bot
              reid train --config configs/supervised.yaml --data data/synth \\
                  --set model.backbone=osnet_x0_25 --set training.epochs=5 \\
                  --out runs/quick
              reid train --data data/target --init runs/bot/best.safetensors ...
              reid train --method remix --config configs/remix.yaml \\
                  --data data/labeled --single-camera data/videos --out runs/remix

            --init starts from a run's best.safetensors, a backbone-only file
            (.safetensors or PyTorch .pth, e.g. ImageNet weights).
            Stop with Ctrl-C or SIGTERM: the last checkpoint stays valid.
            """
    )

    @Option(help: "Method: \(MethodRegistry.names.joined(separator: ", ")).")
    var method: String?

    @Option(help: "Training dataset root (any supported layout).")
    var data: String?

    @Option(name: .customLong("single-camera"),
            help: "Unlabeled single-camera videos for remix: DIR/<video>/<track>/*.jpg or DIR/<video>/*.jpg (see `reid tracklets`).")
    var singleCamera: String?

    @Option(help: "YAML config (see configs/).")
    var config: String?

    @Option(help: "Run folder to create.")
    var out: String?

    @Option(help: "Continue the run in this folder from its last checkpoint.")
    var resume: String?

    @Option(name: .customLong("init"), help: "Initial weights: a run's best.safetensors, backbone weights (.safetensors, .pth), or an ONNX model (which then is the backbone).")
    var initialWeights: String?

    @Option(help: ArgumentHelp("BatchNorm statistics over sub-batches of N images (training.bnBatch).",
                               discussion: "Published unsupervised results were trained on 4 GPUs with 16 images each, so every BatchNorm saw 16 images; --bn-batch 16 reproduces that on one device."))
    var bnBatch: Int?

    @Option(name: .customLong("set"), help: "Override one config key: key.path=value (repeatable).")
    var overrides: [String] = []

    @Flag(help: "Print the final summary as JSON.")
    var json = false

    func validate() throws {
        if resume == nil && out == nil { throw ValidationError("give --out RUN_DIR for a new run, or --resume RUN_DIR") }
        if let bnBatch, bnBatch < 0 { throw ValidationError("--bn-batch must be 0 (whole batch) or a positive number of images") }
        if resume != nil && (config != nil || data != nil || method != nil || singleCamera != nil) {
            throw ValidationError("--resume takes the run's own config.yaml; drop --config, --data, --single-camera and --method")
        }
    }

    func run() throws {
        Runtime.configure()
        var settings: TrainingConfig
        let folder: String
        if let resume {
            folder = resume
            settings = try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(),
                                             yamlFile: RunDirectory(resume).config, overrides: overrides)
        } else {
            folder = out!
            var all = overrides
            if let method { all.append("method=\(method)") }
            if let data { all.append("data.root=\(data)") }
            if let singleCamera { all.append("data.singleCamera=\(singleCamera)") }
            if let initialWeights { all.append("model.initialWeights=\(initialWeights)") }
            if let bnBatch { all.append("training.bnBatch=\(bnBatch)") }
            settings = try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(), yamlFile: config,
                                             overrides: all)
            if settings.data.root.isEmpty { throw ValidationError("give --data DIR (or data.root in the config)") }
        }
        let trainer = Trainer(config: settings, runDirectory: folder, resume: resume != nil)
        do {
            let summary = try trainer.train()
            if json {
                var out: [String: Any] = ["epochs_run": summary.epochsRun, "last_epoch": summary.lastEpoch,
                                          "run": folder, "loss": summary.lastLosses]
                if let best = summary.best { out["best"] = best.summary }
                try printJSON(out)
            } else {
                print("run finished: \(folder)/report.html")
            }
        } catch let stop as StopRequested {
            FileHandle.standardError.write(Data("\(stop): reid train --resume \(folder)\n".utf8))
            throw ExitCode(143)
        }
    }
}
