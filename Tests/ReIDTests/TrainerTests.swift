import Foundation
import XCTest
@testable import ReID
@testable import Torch

/// The shared training loop on tiny synthetic data (seconds each, CPU).
final class TrainerTests: TrainingTestCase {
    static let dataset = TrainingTestCase.tinyDataset(name: "train-data", seed: 3)

    static func config(epochs: Int, extra: [String] = []) throws -> TrainingConfig {
        try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(), yamlFile: nil, overrides: [
            "data.root=\(dataset)", "model.backbone=osnet_x0_25", "data.height=64", "data.width=32",
            "data.identitiesPerBatch=4", "data.instancesPerIdentity=4", "training.epochs=\(epochs)",
            "training.itersPerEpoch=3", "training.evalEvery=0", "schedule.warmupEpochs=0", "optimizer.lr=0.001",
            "evaluation.rankedQueries=2",
        ] + extra)
    }

    func losses(_ run: String) -> [Double] {
        TrainingLog(path: RunDirectory(run).log).entries().map { (($0["loss"] as? [String: Any])?["total"] as? Double) ?? .nan }
    }

    func testLossGoesDownAndRunFolderIsComplete() throws {
        let run = newRun()
        let trainer = Trainer(config: try TrainerTests.config(epochs: 4), runDirectory: run)
        trainer.verbose = false
        let summary = try trainer.train()
        XCTAssertEqual(summary.epochsRun, 4)
        let l = losses(run)
        XCTAssertEqual(l.count, 4)
        XCTAssertLessThan(l[3], l[0], "training loss should fall: \(l)")
        let dir = RunDirectory(run)
        for file in [dir.config, dir.log, dir.last, dir.best, dir.report, dir.evaluation + "/report.html", run + "/losses.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: file), file)
        }
        XCTAssertNotNil(summary.best, "the last epoch is evaluated")
        let page = try String(contentsOfFile: dir.evaluation + "/report.html", encoding: .utf8)
        XCTAssertTrue(page.contains("Model: osnet_x0_25") && page.contains("after epoch 4") && page.contains("input 64x32"),
                      "the evaluation report names the model, its weights and the input size")
        // best.safetensors loads as model weights (the extra training state is ignored).
        let weights = try Safetensors.load(dir.best)
        XCTAssertNotNil(weights["head.bnneck.weight"] ?? weights.keys.first { $0.hasPrefix("head.") }.map { weights[$0]! })
    }

    func testResumeReproducesTheNextEpoch() throws {
        let straight = newRun(), resumed = newRun()
        let a = Trainer(config: try TrainerTests.config(epochs: 2), runDirectory: straight)
        a.verbose = false
        try a.train()
        let b = Trainer(config: try TrainerTests.config(epochs: 1), runDirectory: resumed)
        b.verbose = false
        try b.train()
        let c = Trainer(config: try TrainerTests.config(epochs: 2), runDirectory: resumed, resume: true)
        c.verbose = false
        let summary = try c.train()
        XCTAssertEqual(summary.epochsRun, 1, "only the missing epoch runs")
        let la = losses(straight), lb = losses(resumed)
        XCTAssertEqual(lb.count, 2)
        XCTAssertEqual(la[0], lb[0], accuracy: 1e-5)
        XCTAssertEqual(la[1], lb[1], accuracy: 1e-5, "the resumed run's epoch 2 matches the uninterrupted one")
    }

    func testBadMethodAndMissingDataAreClearErrors() throws {
        var cfg = try TrainerTests.config(epochs: 1)
        cfg.method = "magic"
        let t = Trainer(config: cfg, runDirectory: newRun())
        t.verbose = false
        XCTAssertThrowsError(try t.train()) { XCTAssertTrue("\($0)".contains("unknown method 'magic'"), "\($0)") }
        cfg = try TrainerTests.config(epochs: 1, extra: ["data.root=/nonexistent/data"])
        let u = Trainer(config: cfg, runDirectory: newRun())
        u.verbose = false
        XCTAssertThrowsError(try u.train()) { XCTAssertTrue("\($0)".contains("/nonexistent/data"), "\($0)") }
        XCTAssertThrowsError(try TrainerTests.config(epochs: 1, extra: ["training.epohcs=3"])) {
            XCTAssertTrue("\($0)".contains("training.epohcs") && "\($0)".contains("epochs"), "\($0)")
        }
    }
}

extension TrainerTests {
    /// Cluster-Contrast trains without reading the labels and logs its clusters every epoch.
    func testClusterContrastRunsUnsupervisedAndLogsClusters() throws {
        let run = newRun()
        let config = try TrainerTests.config(epochs: 2, extra: [
            "method=cluster-contrast", "loss.centerWeight=0", "data.sampler=cross-camera",
            "clustering.k1=8", "clustering.k2=2", "clustering.minSamples=2", "clustering.eps=0.7",
        ])
        let trainer = Trainer(config: config, runDirectory: run)
        trainer.verbose = false
        let summary = try trainer.train()
        XCTAssertEqual(summary.epochsRun, 2)
        let log = TrainingLog(path: RunDirectory(run).log).entries()
        for entry in log {
            let stats = try XCTUnwrap(entry["stats"] as? [String: Double])
            XCTAssertGreaterThan(stats["clusters"] ?? 0, 1)
            XCTAssertNotNil(stats["ari"], "clusters are scored against the hidden ids")
        }
        XCTAssertNotNil((log.last?["loss"] as? [String: Double])?["cluster_nce"])
    }
}

extension TrainerTests {
    /// UDA fine-tunes a source model on pseudo-labels with a per-epoch classifier and centers.
    func testUDAFromASourceCheckpoint() throws {
        let source = newRun()
        let s = Trainer(config: try TrainerTests.config(epochs: 1), runDirectory: source)
        s.verbose = false
        try s.train()
        let run = newRun()
        let config = try TrainerTests.config(epochs: 2, extra: [
            "method=uda", "model.initialWeights=\(RunDirectory(source).best)", "clustering.cameraNorm=true",
            "clustering.k1=8", "clustering.k2=2", "clustering.minSamples=2", "clustering.eps=0.7",
        ])
        let trainer = Trainer(config: config, runDirectory: run)
        trainer.verbose = false
        XCTAssertEqual(try trainer.train().epochsRun, 2)
        let losses = TrainingLog(path: RunDirectory(run).log).entries().compactMap { $0["loss"] as? [String: Double] }
        XCTAssertEqual(losses.count, 2)
        let first = try XCTUnwrap(losses.first)
        XCTAssertNotNil(first["id"])
        XCTAssertNotNil(first["center"])
    }
}

extension TrainerTests {
    /// PPLR on tiny synthetic data: 2 epochs (AALS from the second), clusters and agreement
    /// logged, and a report written.
    func testPPLRTwoEpochsWritesAReport() throws {
        let run = newRun()
        let config = try TrainerTests.config(epochs: 2, extra: [
            "method=pplr", "model.parts=3", "loss.centerWeight=0", "data.sampler=cross-camera", "pplr.aalsEpoch=1",
            "pplr.k=5", "clustering.k1=8", "clustering.k2=2", "clustering.minSamples=2", "clustering.eps=0.7",
            "training.evalBeforeTraining=true",
        ])
        let trainer = Trainer(config: config, runDirectory: run)
        trainer.verbose = false
        XCTAssertEqual(try trainer.train().epochsRun, 2)
        var log = TrainingLog(path: RunDirectory(run).log).entries()
        XCTAssertEqual(log.count, 3)
        // The starting model is evaluated first, as epoch 0.
        let before = log.removeFirst()
        XCTAssertEqual(before["epoch"] as? Int, 0)
        XCTAssertNotNil((before["metrics"] as? [String: Any])?["mAP"])
        XCTAssertNil(before["loss"])
        for entry in log {
            let stats = try XCTUnwrap(entry["stats"] as? [String: Double])
            XCTAssertNotNil(stats["agreement"])
            XCTAssertGreaterThan(stats["clusters"] ?? 0, 1)
            let loss = try XCTUnwrap(entry["loss"] as? [String: Double])
            XCTAssertNotNil(loss["part"])
            XCTAssertNotNil(loss["global"])
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: RunDirectory(run).report))
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/stats.png"))
    }
}
