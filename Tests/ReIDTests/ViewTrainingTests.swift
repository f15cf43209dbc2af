import Foundation
import XCTest
@testable import ReID
@testable import Torch

/// PPLR with a view set, end to end on tiny synthetic data (its ground-truth views and masks).
final class ViewTrainingTests: XCTestCase {
    static let dataset: String = {
        let root = NSTemporaryDirectory() + "reid-views-data-\(ProcessInfo.processInfo.processIdentifier)"
        if !FileManager.default.fileExists(atPath: root + "/nv") {
            var synth = SyntheticDataset(ids: 12, cameras: 2, seed: 3)
            synth.height = 64
            synth.width = 32
            synth.viewAngles = [90, 180]
            synth.tracksPerVideo = 0
            _ = try? synth.write(to: root)
        }
        return root
    }()

    var runs: [String] = []
    override func tearDown() { runs.forEach { try? FileManager.default.removeItem(atPath: $0) } }

    func train(_ extra: [String], epochs: Int = 2) throws -> (run: String, log: [[String: Any]]) {
        let run = NSTemporaryDirectory() + "reid-views-run-\(UUID().uuidString)"
        runs.append(run)
        let config = try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(), yamlFile: nil, overrides: [
            "data.root=\(ViewTrainingTests.dataset)", "method=pplr", "model.backbone=osnet_x0_25", "model.parts=3",
            "data.height=64", "data.width=32", "data.identitiesPerBatch=4", "data.instancesPerIdentity=4",
            "training.epochs=\(epochs)", "training.itersPerEpoch=2", "training.evalEvery=0", "schedule.warmupEpochs=0",
            "optimizer.lr=0.01", "loss.centerWeight=0", "pplr.k=5", "clustering.k1=8", "clustering.k2=2",
            "clustering.minSamples=2", "clustering.eps=0.7", "evaluation.rankedQueries=1",
        ] + extra)
        let trainer = Trainer(config: config, runDirectory: run)
        trainer.verbose = false
        try trainer.train()
        return (run, TrainingLog(path: RunDirectory(run).log).entries())
    }

    func testInjectTrainsOnViewsOfClusteredImagesOnly() throws {
        let (run, log) = try train(["views.method=inject", "views.perImage=2"], epochs: 1)
        let stats = try XCTUnwrap(log.first?["stats"] as? [String: Double])
        XCTAssertEqual(stats["views_clustered"], 0, "inject clusters originals only")
        let originals = try DatasetLayout.load(ViewTrainingTests.dataset).train.count
        let clustered = Double(originals) - (stats["outliers"] ?? 0)
        XCTAssertEqual(stats["views_trained"], 2 * clustered, "two views per clustered original, none for outliers")
        let described = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/views.json"))) as? [String: Any]
        XCTAssertEqual(described?["strategy"] as? String, "inject")
    }

    func testLearnedCombinationWithActivationMasksMovesItsWeights() throws {
        let (run, log) = try train(["views.method=mesh-combine", "views.combine=learned", "views.masks=activation",
                                    "views.schedule=90:0-50,180:50-100"])
        let last = try XCTUnwrap(log.last?["stats"] as? [String: Double])
        let w = try XCTUnwrap(last["w_original"])
        XCTAssertNotEqual(w, 2.0 / 3, accuracy: 1e-6, "the learned weight changed in training")
        XCTAssertEqual(w + (last["w_mask"] ?? .nan), 1, accuracy: 1e-5)
        XCTAssertEqual(last["views_clustered"], Double(try DatasetLayout.load(ViewTrainingTests.dataset).train.count),
                       "second phase: its own angle only, one view per original (not cumulative)")
        let masked = try FileManager.default.contentsOfDirectory(atPath: run + "/masked")
        XCTAssertFalse(masked.isEmpty)
        let described = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/views.json"))) as? [String: Any]
        XCTAssertEqual(described?["mask_source"] as? String, "model activation map")
    }

    func testUnknownViewMethodAndMissingAngleAreClearErrors() throws {
        XCTAssertTrue(message { try self.train(["views.method=mix"], epochs: 1) }.contains("simple, inject, sequential, mesh-combine"))
        XCTAssertTrue(message { try self.train(["views.method=sequential", "views.schedule=45:0-100"], epochs: 1) }.contains("45"))
        XCTAssertTrue(message { try self.train(["views.method=sequential"], epochs: 1) }.contains("needs a schedule"))
    }
}

extension ViewTrainingTests {
    func testRunReportNamesTheViewsAndMaskSource() throws {
        let (run, _) = try train(["views.method=mesh-combine"], epochs: 1)
        let html = try String(contentsOfFile: RunDirectory(run).report, encoding: .utf8)
        XCTAssertTrue(html.contains("masks from the view set mask/"), html)
    }
}
