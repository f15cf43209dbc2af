import Foundation
import Torch

/// Trains a `ViewGenerator` on a dataset's training images (labels, if any, are not used).
/// Checkpoints every `checkpointEvery` steps; a run folder with a checkpoint resumes from it, and
/// because each step draws its images from a generator seeded by (seed, step), a resumed run takes
/// the same batches an uninterrupted one would.
public final class GeneratorTraining {
    public let settings: GeneratorSettings
    public let run: GeneratorRun
    public var verbose = true
    let device: Device

    public init(settings: GeneratorSettings, runDirectory: String, device: Device = .cpu) {
        self.settings = settings
        self.run = GeneratorRun(runDirectory)
        self.device = device
    }

    public struct Summary: Codable, Sendable {
        public var steps: Int
        public var images: Int
        public var pseudoIdentities: Int
        public var pairedImages: Int
        public var structure: String
        public var firstLosses: [String: Double]
        public var lastLosses: [String: Double]
        /// Training seconds of the whole run, resumed parts included.
        public var seconds: Double
        public var stoppedEarly: Bool
    }

    func say(_ text: String) { if verbose { FileHandle.standardError.write(Data((text + "\n").utf8)) } }

    @discardableResult
    public func train() throws -> Summary {
        try settings.validate()
        StopSignal.install()
        try FileManager.default.createDirectory(atPath: run.path, withIntermediateDirectories: true)
        let dataset = try DatasetLayout.load(settings.data)
        let records = dataset.train
        guard records.count >= settings.batchSize else {
            throw ReIDError.data(path: settings.data, reason: "has \(records.count) training images; the generator needs at least a batch (\(settings.batchSize))")
        }
        Runtime.seed(settings.seed)
        let resume = FileManager.default.fileExists(atPath: run.checkpoint)
        if resume {
            let saved = try GeneratorRun.readJSON(GeneratorSettings.self, from: run.settings, what: "generator settings")
            guard saved.data == settings.data, saved.backbone == settings.backbone, saved.height == settings.height,
                  saved.width == settings.width, saved.structureDetail == settings.structureDetail,
                  saved.colourMap == settings.colourMap else {
                throw ReIDError.data(path: run.path, reason: "holds a generator trained with other data, encoder or structure settings; use a new --out folder")
            }
        }
        let generator = try GeneratorRun.makeGenerator(settings, loadWeights: !resume, device: device)
        // The moving average of the generator modules (a second generator on the same encoder).
        let ema: ViewGenerator? = settings.emaDecay > 0 ? try ViewGenerator(identity: generator.identity, structureDetail: settings.structureDetail,
                                                                         colourMap: settings.colourMap) : nil
        if let ema {
            try ema.to(device: device)
            for m in ema.generatorModules { m.requiresGrad(false) }
            for (target, source) in zip(ema.generatorModules, generator.generatorModules) {
                try MomentumUpdate.apply(target: target, source: source, momentum: 0)
            }
        }
        let saved = generator.trainable.merging(ema?.emaModules ?? [:]) { a, _ in a }
        let gParams = generator.generatorModules.flatMap { $0.trainableParameters() }
        let gOpt = try Optimizer.adam(gParams, lr: settings.lr, betas: (0.5, 0.999), weightDecay: 1e-4)
        let dOpt = try Optimizer.adam(generator.discriminator.trainableParameters(), lr: settings.lr, betas: (0.5, 0.999),
                                      weightDecay: 1e-4)
        let optimizers = ["generator": gOpt, "discriminator": dOpt]
        var startStep = 0
        if resume {
            // The encoder's weights come from the checkpoint, before any feature is computed.
            startStep = try Checkpoint.restore(from: run.checkpoint, model: generator.identity, modules: saved,
                                               optimizers: optimizers).epoch
        }
        generator.identity.eval()
        let data = try GeneratorData.load(records: records, height: settings.height, width: settings.width,
                                          encoder: generator.identity, device: device, verbose: verbose)
        let identities: PseudoIdentities
        if resume {
            identities = try GeneratorRun.readJSON(PseudoIdentities.self, from: run.identities, what: "pseudo-identities")
            try TrainingLog(path: run.log).truncate(after: startStep)
            say("resuming \(run.path) after step \(startStep)")
        } else {
            identities = try PseudoIdentities.cluster(features: data.features, records: records, eps: settings.eps,
                                                      minSamples: settings.minSamples)
            try GeneratorRun.writeJSON(settings, to: run.settings)
            try GeneratorRun.writeJSON(identities, to: run.identities)
            if FileManager.default.fileExists(atPath: run.log) { try FileManager.default.removeItem(atPath: run.log) }
        }
        generator.identity.eval()
        let clusters = Set(identities.labels.filter { $0 >= 0 }).count
        say("generator: \(records.count) images, \(clusters) pseudo-identities, \(identities.paired) images with a partner; structure \(settings.structure)")

        let renders = settings.rendersDirectory
        let log = TrainingLog(path: run.log)
        let started = Date()
        // Training time of the run so far: a resumed run continues its own clock, so --minutes
        // bounds the whole run, not each invocation.
        let before = resume ? (log.entries().last?["seconds"] as? Double ?? 0) : 0
        let elapsed = { before + Date().timeIntervalSince(started) }
        var first: [String: Double] = [:], sums: [String: Double] = [:], count = 0
        var last: [String: Double] = [:]
        var step = startStep
        var stopped = false
        let b = settings.batchSize
        while step < settings.steps {
            if StopSignal.isRequested { throw StopRequested() }
            if step == startStep && settings.minutes > 0 && elapsed() > settings.minutes * 60 {
                // A resumed run that had already used its --minutes: nothing more to train.
                stopped = true
                last = (log.entries().last?["loss"] as? [String: Double]) ?? [:]
                say("\(run.path) already trained its --minutes \(settings.minutes) (step \(step))")
                break
            }
            var rng = SeededRandom(seed: settings.seed &+ UInt64(step) &* 0x9E37_79B9)
            let xs = (0..<b).map { _ in rng.int(0...(records.count - 1)) }
            let ps = xs.map { i in identities.partners[i].isEmpty ? i : identities.partners[i][rng.int(0...(identities.partners[i].count - 1))] }
            let ks = xs.map { i -> Int in
                for _ in 0..<8 {
                    let k = rng.int(0...(records.count - 1))
                    if k != i && (identities.labels[k] != identities.labels[i] || identities.labels[i] < 0) { return k }
                }
                return (i + 1) % records.count
            }
            var ownRender: Tensor? = nil
            if let renders {
                let found = xs.map { renders + "/render_0/" + records[$0].name }
                if found.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) {
                    let loaded = try BatchLoader(paths: found, height: settings.height, width: settings.width, batchSize: b).load(batch: 0)
                    ownRender = try ViewGenerator.grey(ViewGenerator.toUnit(loaded.to(device)))
                }
            }
            let (x, cx) = try data.batch(xs)
            let losses = try generator.step(x: x, xCode: cx, partnerCode: data.codes(ps),
                                            otherCode: data.codes(ks), structureOf: ownRender,
                                            contrastBank: data.features, otherIndices: ks,
                                            generatorOptimizer: gOpt, discriminatorOptimizer: dOpt).values
            if let ema {
                // The usual warm-up: a short memory at first, so early samples are not the random start.
                let decay = min(settings.emaDecay, Double(1 + step) / Double(10 + step))
                for (target, source) in zip(ema.generatorModules, generator.generatorModules) {
                    try MomentumUpdate.apply(target: target, source: source, momentum: decay)
                }
            }
            if first.isEmpty { first = losses }
            for (key, v) in losses { sums[key, default: 0] += v }
            count += 1
            step += 1
            let outOfTime = settings.minutes > 0 && elapsed() > settings.minutes * 60
            if step % settings.checkpointEvery == 0 || step == settings.steps || outOfTime {
                last = sums.mapValues { $0 / Double(max(count, 1)) }
                try Checkpoint(epoch: step, bestScore: 0, bestEpoch: 0, configYAML: "")
                    .write(to: run.checkpoint, model: generator.identity, modules: saved, optimizers: optimizers)
                try log.append(["epoch": step, "loss": last, "seconds": elapsed()])
                try GeneratorReport.training(run: run, generator: ema ?? generator, records: records, identities: identities,
                                             settings: settings, log: log.entries(), device: device)
                say(String(format: "step %d/%d: self %.3f cross %.3f id %.3f contrast %.3f adv %.3f D %.3f (%.2f s/step)", step, settings.steps,
                           last["self_recon"] ?? .nan, last["cross_recon"] ?? .nan, last["id_consistency"] ?? .nan, last["id_contrast"] ?? .nan,
                           last["adversarial"] ?? .nan, last["discriminator"] ?? .nan,
                           Date().timeIntervalSince(started) / Double(max(step - startStep, 1))))
                sums = [:]
                count = 0
            }
            if outOfTime {
                stopped = true
                say("stopping after step \(step): --minutes \(settings.minutes) reached")
                break
            }
        }
        return Summary(steps: step, images: records.count, pseudoIdentities: clusters, pairedImages: identities.paired,
                       structure: settings.structure, firstLosses: first, lastLosses: last,
                       seconds: elapsed(), stoppedEarly: stopped)
    }
}
