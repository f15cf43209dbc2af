import ArgumentParser
import Foundation
import ReID
import ReIDCommandOptions
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

            Generated views (pplr only): --views DIR names a view set in GCL's
            layout (nv/<degrees>/<image name>, optional mask/<image name>; check
            it with reid views inspect) and --view-method how to use it:
              simple        originals + views.perImage views each, clustered and
                            trained on alike
              inject        cluster originals only; views take their original's
                            pseudo-label; views of outliers are dropped
              sequential    --schedule 135:0-25,90:25-50,270:50-75,180:75-100
                            (angle:start-end in % of the epochs; each phase adds
                            one view per original)
              mesh-combine  features (2·f(image) + 1·f(masked image)) / 3 for
                            clustering, agreement and losses; masks from the view
                            set, else from the model's activation map; learned
                            weights with --set views.combine=learned; with
                            --schedule also adds views sequentially
              reid train --config configs/pplr.yaml --data data/synth \\
                  --views data/synth --view-method inject --out runs/inject
            Stop with Ctrl-C or SIGTERM: the last checkpoint stays valid.
            """
    )

    @Option(help: "Method: \(MethodRegistry.names.joined(separator: ", ")).")
    var method: String?

    @Option(help: "Training dataset root (any supported layout).")
    var data: String?

    @Option(name: .customLong("eval-data"),
            help: ArgumentHelp("A labelled query/gallery set to evaluate on (any layout; data.evalRoot).",
                               discussion: "Without it a run evaluates on the training dataset's own query/gallery when it has them; unlabeled crops have none, so such a run logs cluster statistics per epoch and keeps its last checkpoint as best."))
    var evalData: String?

    @Option(name: .customLong("single-camera"),
            help: "Unlabeled single-camera videos for remix: DIR/<video>/<track>/*.jpg or DIR/<video>/*.jpg (see `reid tracklets`).")
    var singleCamera: String?

    @Option(help: "YAML config (see configs/).")
    var config: String?

    @Option(help: "Run folder to create.")
    var out: String?

    @Option(help: "Continue the run in this folder from its last checkpoint.")
    var resume: String?

    @Option(name: .customLong("init"), help: "Initial weights: a training run (its folder, run:DIR, or one of its checkpoints; its architecture comes with it), backbone weights (.safetensors, .pth), or an ONNX model (which then is the backbone).")
    var initialWeights: String?

    @Option(help: ArgumentHelp("BatchNorm statistics over sub-batches of N images (training.bnBatch).",
                               discussion: "Published unsupervised results were trained on 4 GPUs with 16 images each, so every BatchNorm saw 16 images; --bn-batch 16 reproduces that on one device."))
    var bnBatch: Int?

    @Option(name: .customLong("set"), help: "Override one config key: key.path=value (repeatable).")
    var overrides: [String] = []

    @Option(help: "pplr: a view set folder (nv/<degrees>/<name>, mask/<name>) to train with.")
    var views: String?

    @Option(help: "pplr with --views: simple, inject, sequential or mesh-combine.")
    var viewMethod: String?

    @Option(help: "pplr with --views: the sequential curriculum, angle:start-end in percent of the epochs, e.g. 135:0-25,90:25-50.")
    var schedule: String?

    @Flag(help: "Replace the run already in --out (its config, log, checkpoints and report) instead of refusing.")
    var overwrite = false

    @Option(help: "Where training runs: cpu, cuda, cuda:N or auto (the same as --set training.device=…; default: the config's).")
    var device: String?

    @Option(help: "fp32 or bf16 (the same as --set training.precision=…; default: the config's). bf16 runs the backbone under CPU autocast where the CPU has native bfloat16; `reid bench train-step --precision bf16` says whether it is faster here.")
    var precision: Precision?

    @Flag(help: "Print the final summary as JSON.")
    var json = false

    func validate() throws {
        if resume == nil && out == nil { throw ValidationError("give --out RUN_DIR for a new run, or --resume RUN_DIR") }
        if let bnBatch, bnBatch < 0 { throw ValidationError("--bn-batch must be 0 (whole batch) or a positive number of images") }
        if let device, (try? Device(parsing: device)) == nil { throw ValidationError("--device \(device): use cpu, cuda, cuda:N or auto") }
        if resume != nil && overwrite { throw ValidationError("--overwrite starts a new run; it cannot go with --resume") }
        if resume != nil && (config != nil || data != nil || method != nil || singleCamera != nil || evalData != nil) {
            throw ValidationError("--resume takes the run's own config.yaml; drop --config, --data, --eval-data, --single-camera and --method")
        }
    }

    func run() throws {
        Runtime.configure()
        var settings: TrainingConfig
        let folder: String
        if let resume {
            folder = resume
            settings = try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(),
                                             yamlFile: RunDirectory(resume).config,
                                             overrides: overrides + (device.map { ["training.device=\($0)"] } ?? []) + (precision.map { ["training.precision=\($0)"] } ?? []))
            // A model built on an ONNX file continues from the run's own copy of that graph.
            let copy = RunDirectory(resume).backboneGraph
            if BackboneRegistry.onnxPath(settings.model.backbone) != nil, FileManager.default.fileExists(atPath: copy) {
                settings.model.backbone = BackboneRegistry.onnxPrefix + URL(fileURLWithPath: copy).standardizedFileURL.path
            }
        } else {
            folder = out!
            var all = overrides
            if let method { all.append("method=\(method)") }
            if let data { all.append("data.root=\(data)") }
            if let singleCamera { all.append("data.singleCamera=\(singleCamera)") }
            if let evalData { all.append("data.evalRoot=\(evalData)") }
            if let initialWeights { all.append("model.initialWeights=\(initialWeights)") }
            if let bnBatch { all.append("training.bnBatch=\(bnBatch)") }
            if let device { all.append("training.device=\(device)") }
            if let precision { all.append("training.precision=\(precision)") }
            if let views { all.append("views.dir=\(views)") }
            if let viewMethod { all.append("views.method=\(viewMethod)") }
            if let schedule { all.append("views.schedule=\(schedule)") }
            if (views != nil || schedule != nil) && viewMethod == nil {
                throw ValidationError("--views and --schedule need --view-method (simple, inject, sequential or mesh-combine)")
            }
            settings = try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(), yamlFile: config,
                                             overrides: all)
            // A schedule the user did not set follows a --set training.epochs (see ScheduleFit).
            let isEpochs: (String) -> Bool = { $0.hasPrefix("training.epochs=") }
            if all.contains(where: isEpochs) {
                let recipe = try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(), yamlFile: config,
                                                   overrides: all.filter { !isEpochs($0) })
                let note: String?
                (settings, note) = ScheduleFit.scaled(settings, referenceEpochs: recipe.training.epochs,
                                                      scheduleSet: all.contains { $0.hasPrefix("schedule.") })
                if let note { FileHandle.standardError.write(Data((note + "\n").utf8)) }
            }
            if settings.data.root.isEmpty { throw ValidationError("give --data DIR (or data.root in the config)") }
            // config.yaml names what is really built: a run or an ONNX file given to --init
            // becomes the backbone, paths absolute.
            let (section, note) = try settings.model.resolvingRunInitialisation()
            if let note { FileHandle.standardError.write(Data((note + "\n").utf8)) }
            settings.model = section.resolved
            if !settings.views.method.isEmpty && settings.method != "pplr" {
                throw ValidationError("generated views (views.method \(settings.views.method)) work with --method pplr, not \(settings.method)")
            }
        }
        for warning in try ScheduleFit.check(settings) {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        if resume == nil { try RunDirectory(folder).prepareForNewRun(overwrite: overwrite) }
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
