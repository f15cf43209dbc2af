import Foundation
import Torch

/// The one training loop every method shares: seeds, epochs, augmentation and batching with
/// prefetch, LR schedule, progress, evaluation every N epochs, best and last checkpoints written
/// atomically, exact resume, `log.jsonl` and `report.html`.
public final class Trainer {
    public let config: TrainingConfig
    public let run: RunDirectory
    public let resume: Bool
    /// Print progress (false in tests).
    public var verbose = true

    /// Builds the method instead of `MethodRegistry` (tests wrap a method to watch the loop).
    var makeMethod: MethodRegistry.Factory?

    public init(config: TrainingConfig, runDirectory: String, resume: Bool = false) {
        self.config = config
        self.run = RunDirectory(runDirectory)
        self.resume = resume
    }

    public struct Summary: Sendable {
        public var epochsRun: Int
        public var lastEpoch: Int
        public var stoppedEarly: Bool
        /// Test-set metrics of the checkpoint kept as best.safetensors: the last evaluated one, or
        /// the epoch chosen on the validation split (`data.validationIdentities`).
        public var best: RankingMetrics?
        public var lastLosses: [String: Double]
    }

    /// Seeds of epoch `epoch` differ from every other epoch's and do not depend on where a run was resumed.
    func seed(for epoch: Int) -> UInt64 {
        var rng = SeededRandom(seed: config.seed &+ UInt64(epoch) &* 0x9E37_79B9)
        return rng.next()
    }

    /// Trains; a run that fails before its first checkpoint leaves no folder behind that it made.
    @discardableResult
    public func train() throws -> Summary {
        let folderExisted = FileManager.default.fileExists(atPath: run.path)
        do {
            return try trainInFolder()
        } catch {
            if !folderExisted && !run.hasCheckpoint { try? FileManager.default.removeItem(atPath: run.path) }
            throw error
        }
    }

    func trainInFolder() throws -> Summary {
        StopSignal.install()
        try run.create()
        let device = try Device(parsing: config.training.device)
        let layout = config.data.format.isEmpty ? nil : try DatasetLayout(format: config.data.format)
        let dataset = try DatasetLayout.load(config.data.root, format: layout)
        guard !dataset.train.isEmpty else {
            throw ReIDError.data(path: config.data.root, reason: "has no training images (bounding_box_train/ or the layout's train split)")
        }
        let evalData = try EvaluationData.resolve(config: config, training: dataset)
        let validation = config.data.validationIdentities > 0
            ? try ValidationSplit(training: dataset, identities: config.data.validationIdentities, seed: config.seed) : nil
        if let validation {
            say("best.safetensors is chosen on \(validation.query.count) identities set aside from training "
                + "(\(validation.query.count) query / \(validation.gallery.count) gallery images); the test set is only logged")
        } else if evalData == nil {
            say("no labelled query/gallery to evaluate on (give --eval-data DIR): each epoch logs its cluster "
                + "statistics instead, and best.safetensors is the last checkpoint")
        } else {
            say("the test set is evaluated and logged, never used to choose: best.safetensors is the last checkpoint "
                + "(data.validationIdentities=N chooses on N training identities set aside instead)")
        }
        let singleCamera = config.data.singleCamera.isEmpty ? nil : try SingleCameraData(root: config.data.singleCamera)
        let context = TrainingContext(config: config, trainRecords: validation?.train ?? dataset.train, device: device,
                                      runDirectory: run, singleCamera: singleCamera)
        Runtime.seed(config.seed)
        let method = try makeMethod?(context) ?? MethodRegistry.make(config.method, context: context)
        applyBatchNormGrouping(method.model)
        let (precision, precisionNote) = config.training.precision.resolved(on: device)
        if let precisionNote { say("training.precision: \(precisionNote)") }
        for model in [method.model] + method.auxiliaryModules.values.compactMap({ $0 as? ReIDModel }) {
            model.precision = precision
        }
        say(RunSummary.text(config: config, dataset: dataset, evaluation: evalData, model: method.model, device: device))
        let yaml = try ConfigLoader.yaml(config)
        try AtomicWrite.write(Data(yaml.utf8), to: run.config)
        if !resume, let graph = BackboneRegistry.onnxPath(config.model.resolved.backbone) {
            try run.keepBackboneGraph(from: graph)
        }
        let log = TrainingLog(path: run.log)

        var startEpoch = 0, bestScore = -1.0, bestEpoch = -1
        if resume {
            guard run.hasCheckpoint else {
                throw ReIDError.data(path: run.path, reason: "has no last.safetensors to resume from")
            }
            let state = try Checkpoint.restore(from: run.last, model: method.model, modules: method.auxiliaryModules,
                                               optimizers: method.optimizers)
            (startEpoch, bestScore, bestEpoch) = (state.epoch, state.bestScore, state.bestEpoch)
            try log.truncate(after: startEpoch)
            say("resuming \(run.path) after epoch \(startEpoch)")
        } else if FileManager.default.fileExists(atPath: run.log) {
            try FileManager.default.removeItem(atPath: run.log)
        }

        let pipeline = try TransformPipeline(config.data.transform)
        var summary = Summary(epochsRun: 0, lastEpoch: startEpoch, stoppedEarly: false, best: nil, lastLosses: [:])
        let runStarted = Date()
        if config.training.evalBeforeTraining, startEpoch == 0, let evalData {
            let result = try evaluate(method.model, dataset: evalData, context: context, epoch: 0)
            try log.append(["epoch": 0, "metrics": result.metrics.summary])
            say(String(format: "before training: Rank-1 %.2f%% mAP %.2f%%", result.metrics.rank1 * 100,
                       result.metrics.mAP * 100))
        }
        for epoch in startEpoch..<config.training.epochs {
            let epochSeed = seed(for: epoch)
            Runtime.seed(epochSeed)
            let started = Date()
            method.model.train()
            let stats = try method.beginEpoch(epoch, context: context)
            // Every optimiser follows the schedule, those beginEpoch just made included.
            let factor = config.schedule.factor(epoch: Double(epoch))
            for optimizer in method.optimizers.values.map({ $0 }) + method.epochOptimizers {
                try optimizer.scaleLearningRates(by: factor)
            }
            let lr = method.optimizers["main"]?.learningRate() ?? 0
            let batches = try EpochBatches.assemble(iterations: config.training.itersPerEpoch) {
                try method.batches(epoch: epoch, pass: $0, context: context)
            }
            guard !batches.isEmpty else {
                throw ReIDError.invalidOption("epoch \(epoch + 1) has no batches: too few identities or images for \(config.data.identitiesPerBatch)×\(config.data.instancesPerIdentity) batches")
            }
            let batchSize = batches[0].count
            let pool = method.trainingRecords(context: context)
            let records = batches.flatMap { $0.map { pool[$0] } }
            let loader = BatchLoader(paths: records.map(\.path), pipeline: pipeline, batchSize: batchSize, seed: epochSeed)
            let progress = Progress(total: records.count, label: "epoch \(epoch + 1)/\(config.training.epochs)",
                                    quiet: !verbose)
            var sums: [String: Double] = [:]
            var steps = 0
            try loader.forEachBatch { b, images in
                if StopSignal.isRequested { throw StopRequested() }
                var x = try images.to(device)
                if config.training.channelsLast { x = try x.channelsLast() }
                let losses = try method.step(images: x, indices: batches[b], context: context)
                for (k, v) in losses { sums[k, default: 0] += v }
                steps += 1
                progress.advance(images.size(0), extra: String(format: "loss %.3f lr %.2e", losses["total"] ?? .nan, lr))
            }
            let means = sums.mapValues { $0 / Double(max(steps, 1)) }
            var entry: [String: Any] = ["epoch": epoch + 1, "loss": means, "lr": lr,
                                        "seconds": Date().timeIntervalSince(started),
                                        "images_per_second": Double(records.count) / Date().timeIntervalSince(started)]
            if !stats.isEmpty {
                entry["stats"] = stats
                if let line = Self.clusterLine(stats) { say("epoch \(epoch + 1): \(line)") }
            }
            let outOfTime = config.training.maxMinutes > 0
                && Date().timeIntervalSince(runStarted) > config.training.maxMinutes * 60
            let isLast = epoch + 1 == config.training.epochs || outOfTime
            let evalEvery = config.training.evalEvery
            let evaluates = (isLast && evalEvery >= 0) || (evalEvery > 0 && (epoch + 1) % evalEvery == 0)
            var tested: RankingMetrics?
            if let evalData, evaluates {
                let result = try evaluate(method.model, dataset: evalData, context: context, epoch: epoch + 1)
                entry["metrics"] = result.metrics.summary
                tested = result.metrics
                say(String(format: "epoch %d: Rank-1 %.2f%% mAP %.2f%%", epoch + 1, result.metrics.rank1 * 100,
                           result.metrics.mAP * 100))
            }
            // Only identities set aside from training choose the best checkpoint; else it is the last.
            if let validation, evaluates {
                let checked = try evaluate(method.model, dataset: validation, context: context, epoch: epoch + 1, report: false)
                entry["validation"] = checked.metrics.summary
                if checked.metrics.mAP > bestScore {
                    bestScore = checked.metrics.mAP
                    bestEpoch = epoch + 1
                    summary.best = tested
                    try Checkpoint(epoch: epoch + 1, bestScore: bestScore, bestEpoch: bestEpoch, configYAML: yaml)
                        .write(to: run.best, model: method.model, modules: method.auxiliaryModules, optimizers: method.optimizers)
                }
                say(String(format: "epoch %d: validation mAP %.2f%% (best %.2f%% at epoch %d)", epoch + 1,
                           checked.metrics.mAP * 100, bestScore * 100, bestEpoch))
            }
            try Checkpoint(epoch: epoch + 1, bestScore: bestScore, bestEpoch: bestEpoch, configYAML: yaml)
                .write(to: run.last, model: method.model, modules: method.auxiliaryModules, optimizers: method.optimizers)
            if validation == nil {
                try run.copyLastToBest()
                if let tested { summary.best = tested }
            } else if !FileManager.default.fileExists(atPath: run.best) {
                try run.copyLastToBest()  // until the validation split has chosen (it does at its first evaluation)
            }
            try log.append(entry)
            try TrainingReport(run: run, title: "\(config.method) on \(config.data.root)",
                               lossWeights: TrainingReport.lossWeights(config)).write(log: log.entries())
            summary.epochsRun += 1
            summary.lastEpoch = epoch + 1
            if summary.epochsRun == 1, epoch + 1 < config.training.epochs {
                let left = Double(config.training.epochs - epoch - 1) * Date().timeIntervalSince(started)
                say(String(format: "epoch %d took %.0f s; about %.0f min for the %d epochs left", epoch + 1,
                           Date().timeIntervalSince(started), left / 60, config.training.epochs - epoch - 1))
            }
            summary.lastLosses = means
            if outOfTime {
                say("stopping after epoch \(epoch + 1): training.maxMinutes (\(config.training.maxMinutes)) reached")
                summary.stoppedEarly = true
                break
            }
        }
        say("report: \(run.report)")
        return summary
    }

    /// Features of query and gallery with the current model, metrics, and the evaluation report.
    /// `report`: false for the validation split (the evaluation report shows the test set).
    func evaluate(_ model: ReIDModel, dataset: any ReIDDataset, context: TrainingContext, epoch: Int,
                  report: Bool = true) throws -> Evaluator.Result {
        let records = dataset.query + dataset.gallery
        let features = try context.features(of: records, model: model, label: "evaluate")
        let q = dataset.query.count
        let labels = try EvaluationLabels(queryPids: dataset.query.map(\.pid), galleryPids: dataset.gallery.map(\.pid),
                                          queryCams: dataset.query.map(\.camera), galleryCams: dataset.gallery.map(\.camera))
        let evaluator = Evaluator(metric: config.evaluation.metric, cameraNormalization: config.evaluation.cameraNorm,
                                  reranking: config.evaluation.rerank ? KReciprocalReranking() : nil)
        let result = try evaluator.evaluate(query: features.narrow(dim: 0, start: 0, length: q),
                                            gallery: features.narrow(dim: 0, start: q, length: records.count - q), labels: labels)
        if report {
            let model = config.model.resolved
            let notes = [
                "Model: \(model.backbone)" + (model.parts > 0 ? " with \(model.parts) part features" : "")
                    + ", \(model.pooling) pooling, " + (epoch == 0 ? "before training" : "weights after epoch \(epoch)")
                    + " (\(run.path)), input \(config.data.height)x\(config.data.width).",
                "Distance: \(config.evaluation.metric.rawValue)" + (config.evaluation.cameraNorm ? ", camera-normalised features" : "")
                    + (config.evaluation.rerank ? ", re-ranked" : "") + "; query/gallery of \(dataset.root).",
            ]
            try EvaluationReport(title: "Evaluation of \(config.method)", metrics: result.metrics, distances: result.distances,
                                 query: dataset.query, gallery: dataset.gallery, notes: notes)
                .write(to: run.evaluation, rankedQueries: config.evaluation.rankedQueries)
        }
        return result
    }

    /// "clusters 812, outliers 403, ARI 0.612" from an epoch's pseudo-label statistics, or nil.
    static func clusterLine(_ stats: [String: Double]) -> String? {
        var parts: [String] = []
        for (key, name) in [("clusters", "clusters"), ("pseudo_identities", "pseudo-identities"), ("outliers", "outliers")] {
            if let v = stats[key] { parts.append("\(name) \(Int(v))") }
        }
        if let ari = stats["ari"] { parts.append(String(format: "ARI %.3f (against the hidden ids)", ari)) }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// `training.bnBatch`: BatchNorm statistics over sub-batches, as data-parallel training has.
    func applyBatchNormGrouping(_ model: ReIDModel) {
        guard config.training.bnBatch > 0 else { return }
        for (_, module) in model.namedModules() {
            (module as? BatchNorm)?.subBatch = config.training.bnBatch
        }
    }

    func say(_ text: String) {
        if verbose { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }
}

/// Thrown inside the loop when SIGTERM/SIGINT arrived; the caller reports how to resume.
public struct StopRequested: Error, CustomStringConvertible {
    public var description: String { "stopped by a signal; the last checkpoint is intact (resume with --resume)" }
}
