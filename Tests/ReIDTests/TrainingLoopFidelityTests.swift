import Foundation
import XCTest
@testable import ReID
@testable import Torch

/// A method wrapped to record what the loop asks of it and feeds it.
final class WatchedMethod: TrainingMethod, @unchecked Sendable {
    let inner: any TrainingMethod
    /// (epoch, pass) of every `batches` call, in order.
    var passesAsked: [(epoch: Int, pass: Int)] = []
    /// The batches of every pass asked for, by (epoch, pass).
    var passBatches: [String: [[Int]]] = [:]
    /// The indices of every step, per epoch.
    var stepped: [Int: [[Int]]] = [:]
    /// Learning rates of every optimiser (main ones and those of the epoch) at each epoch's first step.
    var ratesAtFirstStep: [Int: [Double]] = [:]
    var epoch = 0
    /// The identities of the training records the loop handed over.
    var trainedPids: Set<Int> = []

    init(_ inner: any TrainingMethod) { self.inner = inner }

    var model: ReIDModel { inner.model }
    var auxiliaryModules: [String: any Module] { inner.auxiliaryModules }
    var optimizers: [String: Optimizer] { inner.optimizers }
    var epochOptimizers: [Optimizer] { inner.epochOptimizers }

    func beginEpoch(_ epoch: Int, context: TrainingContext) throws -> [String: Double] {
        self.epoch = epoch
        trainedPids.formUnion(context.trainRecords.map(\.pid))
        return try inner.beginEpoch(epoch, context: context)
    }

    func batches(epoch: Int, pass: Int, context: TrainingContext) throws -> [[Int]] {
        passesAsked.append((epoch, pass))
        let b = try inner.batches(epoch: epoch, pass: pass, context: context)
        passBatches["\(epoch)/\(pass)"] = b
        return b
    }

    func step(images: Tensor, indices: [Int], context: TrainingContext) throws -> [String: Double] {
        if stepped[epoch] == nil {
            let all = inner.optimizers.keys.sorted().map { inner.optimizers[$0]! } + inner.epochOptimizers
            ratesAtFirstStep[epoch] = try all.map { try $0.learningRate() }
        }
        stepped[epoch, default: []].append(indices)
        return try inner.step(images: images, indices: indices, context: context)
    }

    func trainingRecords(context: TrainingContext) -> [ImageRecord] { inner.trainingRecords(context: context) }
}

/// The loop as the reference trainers run it: fresh sampler passes, and one schedule for every optimiser.
final class TrainingLoopFidelityTests: TrainingTestCase {
    func watchedRun(_ config: TrainingConfig, in run: String? = nil) throws -> WatchedMethod {
        final class Box: @unchecked Sendable { var method: WatchedMethod? }
        let box = Box()
        let trainer = Trainer(config: config, runDirectory: run ?? newRun())
        trainer.verbose = false
        trainer.makeMethod = { context in
            let method = WatchedMethod(try MethodRegistry.make(config.method, context: context))
            box.method = method
            return method
        }
        try trainer.train()
        return try XCTUnwrap(box.method)
    }

    /// With more iterations than one pass has batches, the epoch takes fresh passes in order,
    /// never the first pass again.
    func testAnEpochLongerThanOnePassDrawsFreshPasses() throws {
        // 8 identities × 4 instances at 2×4 a batch: a pass has only a few batches.
        let config = try TrainerTests.config(epochs: 1, extra: ["method=supervised", "data.identitiesPerBatch=2",
                                                                "training.itersPerEpoch=12"])
        let watched = try watchedRun(config)
        let steps = try XCTUnwrap(watched.stepped[0])
        XCTAssertEqual(steps.count, 12)
        let first = try XCTUnwrap(watched.passBatches["0/0"])
        XCTAssertLessThan(first.count, 12, "the test needs an epoch longer than one pass")
        XCTAssertGreaterThan(watched.passesAsked.count, 1)
        var expected: [[Int]] = []
        for (epoch, pass) in watched.passesAsked {
            XCTAssertEqual(epoch, 0)
            expected += watched.passBatches["\(epoch)/\(pass)"]!
        }
        XCTAssertEqual(steps, Array(expected.prefix(12)), "the steps are the passes, in order")
        let second = Array(steps[first.count..<min(steps.count, 2 * first.count)])
        XCTAssertNotEqual(second, Array(first.prefix(second.count)), "the second pass replays the first")
    }

    /// After a milestone every optimiser has dropped, including those a method makes each epoch
    /// (PPLR's classifier, UDA's classifier and centers).
    func testEveryOptimiserFollowsTheSchedule() throws {
        for method in ["pplr", "uda"] {
            let config = try TrainerTests.config(epochs: 2, extra: [
                "method=\(method)", "model.parts=\(method == "pplr" ? 3 : 0)", "data.sampler=cross-camera",
                "pplr.k=5", "clustering.k1=8", "clustering.k2=2", "clustering.minSamples=2", "clustering.eps=0.7",
                "schedule.milestones=[1]", "schedule.gamma=0.1", "training.itersPerEpoch=1",
                "loss.centerWeight=\(method == "uda" ? 0.0005 : 0)",
            ])
            let watched = try watchedRun(config)
            let before = try XCTUnwrap(watched.ratesAtFirstStep[0]), after = try XCTUnwrap(watched.ratesAtFirstStep[1])
            XCTAssertEqual(before.count, after.count)
            XCTAssertGreaterThan(before.count, 1, "\(method) has optimisers besides main")
            for (a, b) in zip(before, after) {
                XCTAssertEqual(b, a * 0.1, accuracy: a * 1e-6, "\(method): an optimiser kept its rate past the milestone: \(before) → \(after)")
            }
        }
    }
}

/// No checkpoint is chosen on the test set: best is the last one, or the best on identities set
/// aside from training.
extension TrainingLoopFidelityTests {
    func testValidationSplitSetsIdentitiesAsideWithCrossCameraQueries() throws {
        let data = try DatasetLayout.load(TrainerTests.dataset)
        let split = try ValidationSplit(training: data, identities: 3, seed: 7)
        let aside = Set(split.query.map(\.pid))
        XCTAssertEqual(aside.count, 3)
        XCTAssertEqual(split.query.count, 3, "one query per identity")
        XCTAssertEqual(Set(split.gallery.map(\.pid)), aside)
        XCTAssertTrue(split.train.allSatisfy { !aside.contains($0.pid) }, "set-aside identities left training")
        XCTAssertEqual(split.train.count + split.query.count + split.gallery.count, data.train.count)
        XCTAssertEqual(Set(split.train.map(\.label)), Set(0..<(Set(data.train.map(\.pid)).count - 3)), "dense labels")
        for q in split.query {
            XCTAssertTrue(split.gallery.contains { $0.pid == q.pid && $0.camera != q.camera }, "query \(q.name) has no other-camera match")
        }
        XCTAssertEqual(try ValidationSplit(training: data, identities: 3, seed: 7).query, split.query, "seeded")
        XCTAssertThrowsError(try ValidationSplit(training: data, identities: 500, seed: 7)) { error in
            XCTAssertTrue("\(error)".contains("data.validationIdentities"), "\(error)")
        }
    }

    func testBestIsTheLastCheckpointUnlessAValidationSplitChooses() throws {
        let plain = try TrainerTests.config(epochs: 2, extra: ["method=supervised", "training.evalEvery=1"])
        let run = newRun()
        let trainer = Trainer(config: plain, runDirectory: run)
        trainer.verbose = false
        try trainer.train()
        let dir = RunDirectory(run)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir.best)), try Data(contentsOf: URL(fileURLWithPath: dir.last)),
                       "best.safetensors must be the last checkpoint when only the test set is evaluated")

        let chosen = try TrainerTests.config(epochs: 3, extra: ["method=supervised", "training.evalEvery=1",
                                                                "data.validationIdentities=3", "data.identitiesPerBatch=2"])
        let chosenRun = newRun()
        let watched = try watchedRun(chosen, in: chosenRun)
        let aside = Set(try ValidationSplit(training: DatasetLayout.load(TrainerTests.dataset), identities: 3, seed: chosen.seed)
            .query.map(\.pid))
        XCTAssertTrue(watched.trainedPids.isDisjoint(with: aside), "set-aside identities were trained on")
        let log = TrainingLog(path: RunDirectory(chosenRun).log).entries()
        let validation = log.compactMap { ($0["validation"] as? [String: Any])?["mAP"] as? Double }
        XCTAssertEqual(validation.count, 3, "each evaluation also scores the validation split")
        let best = try Safetensors.load(RunDirectory(chosenRun).best, only: []).metadata
        let expected = validation.indices.max { validation[$0] < validation[$1] }! + 1
        XCTAssertEqual(best["epoch"], "\(expected)", "best.safetensors is the epoch with the best validation mAP \(validation)")
    }
}
