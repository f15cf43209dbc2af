import Foundation
import XCTest
@testable import ReID
@testable import Torch

/// The remix method end to end on tiny synthetic data: labeled cameras plus the synthetic
/// dataset's single-camera tracklets.
final class RemixTrainingTests: TrainingTestCase {
    static let dataset = TrainingTestCase.tinyDataset(name: "remix-data", seed: 5, tracks: 4, frames: 6)

    func config(_ extra: [String]) throws -> TrainingConfig {
        try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(), yamlFile: nil, overrides: [
            "method=remix", "data.root=\(RemixTrainingTests.dataset)", "model.backbone=osnet_x0_25",
            "data.height=64", "data.width=32", "data.identitiesPerBatch=4", "data.instancesPerIdentity=2",
            "training.epochs=2", "training.itersPerEpoch=2", "training.evalEvery=0", "schedule.warmupEpochs=0",
            "optimizer.lr=0.001", "evaluation.rankedQueries=2", "remix.momentum=0.9",
            "clustering.k1=5", "clustering.k2=2", "clustering.minSamples=2", "clustering.eps=0.7",
        ] + extra)
    }

    func testRemixTrainsOnLabeledAndSingleCameraData() throws {
        let run = newRun()
        let trainer = Trainer(config: try config(["data.singleCamera=\(RemixTrainingTests.dataset)/tracklets"]),
                              runDirectory: run)
        trainer.verbose = false
        let summary = try trainer.train()
        XCTAssertEqual(summary.epochsRun, 2)
        let log = TrainingLog(path: RunDirectory(run).log).entries()
        for entry in log {
            let stats = try XCTUnwrap(entry["stats"] as? [String: Double])
            XCTAssertEqual(stats["videos"], 2, "both synthetic cameras' videos are clustered")
            XCTAssertGreaterThan(stats["pseudo_identities"] ?? 0, 0)
            let losses = try XCTUnwrap(entry["loss"] as? [String: Double])
            for name in ["instance", "augmentation", "centroids", "camera_centroids", "total"] {
                XCTAssertTrue(losses[name]?.isFinite == true, "\(name): \(losses)")
            }
            XCTAssertGreaterThan(losses["centroids"] ?? 0, 0)
        }
        // The momentum encoder is saved for resume.
        let last = try Safetensors.load(RunDirectory(run).last)
        XCTAssertTrue(last.keys.contains { $0.hasPrefix(Checkpoint.statePrefix + "momentum.") }, "\(last.keys.sorted().prefix(5))")
    }

    func testLabeledOnlyBaselineAndMissingSingleCameraData() throws {
        let trainer = Trainer(config: try config(["remix.labeledFraction=1"]), runDirectory: newRun())
        trainer.verbose = false
        XCTAssertEqual(try trainer.train().epochsRun, 2)
        let mixed = Trainer(config: try config([]), runDirectory: newRun())
        mixed.verbose = false
        XCTAssertThrowsError(try mixed.train()) { XCTAssertTrue("\($0)".contains("--single-camera"), "\($0)") }
    }
}
