import Foundation
import XCTest
import ReIDTestSupport
@testable import ReID

/// Training on a user's unlabeled crops (camera folders, no query/gallery), and run folders that
/// are never silently overwritten or left half-made.
extension CLITests {
    /// The tiny synthetic training images as an unlabeled `crops/camN/` folder (names reveal no id).
    func unlabeledCrops() throws -> String { try Self.unlabeledCrops(in: folder) }

    static func unlabeledCrops(in folder: String) throws -> String {
        let source = try Market1501(root: TrainerTests.dataset)
        let crops = folder + "/crops"
        for (i, record) in source.train.enumerated() {
            let dir = crops + "/cam\(record.camera + 1)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: record.path, toPath: dir + String(format: "/crop_%05d.png", i))
        }
        return crops
    }

    static let tinyUnsupervised = [
        "--method", "cluster-contrast", "--set", "model.backbone=osnet_x0_25", "--set", "data.height=64",
        "--set", "data.width=32", "--set", "data.identitiesPerBatch=4", "--set", "data.instancesPerIdentity=4",
        "--set", "training.epochs=2", "--set", "training.itersPerEpoch=2", "--set", "schedule.warmupEpochs=0",
        "--set", "schedule.milestones=[1]", "--set", "loss.centerWeight=0", "--set", "data.sampler=cross-camera",
        "--set", "clustering.k1=8", "--set", "clustering.k2=2", "--set", "clustering.minSamples=2",
        "--set", "clustering.eps=0.7", "--set", "training.evalEvery=1",
    ]

    func testUnlabeledCameraFoldersTrainWithAndWithoutEvalData() throws {
        let crops = try unlabeledCrops()
        let inspect = try run(["dataset", "inspect", crops, "--json"])
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(inspect.out.utf8)) as? [String: Any], inspect.err)
        XCTAssertEqual(report["cameras"] as? Int, 2, "the camN folders are the cameras")

        let alone = try run(["train", "--data", crops, "--out", folder + "/alone"] + Self.tinyUnsupervised)
        XCTAssertEqual(alone.status, 0, alone.err)
        XCTAssertTrue(alone.err.contains("no labelled query/gallery"), alone.err)
        // The run says what it is about to do before it does it.
        XCTAssertTrue(alone.err.contains("training images, unlabeled, 2 cameras"), alone.err)
        XCTAssertTrue(alone.err.contains("model: osnet_x0_25 (") && alone.err.contains("M parameters), random init"), alone.err)
        XCTAssertTrue(alone.err.contains("input 64x32, batch 16 (4 ids x 4), 2 epochs of 2 iterations"), alone.err)
        XCTAssertTrue(alone.err.contains("epoch 1 took "), alone.err)
        XCTAssertTrue(alone.err.contains("epoch 2: clusters "), "cluster statistics on the console: " + alone.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/alone/best.safetensors"), "best is the last checkpoint")
        let log = TrainingLog(path: folder + "/alone/log.jsonl").entries()
        XCTAssertEqual(log.count, 2)
        XCTAssertTrue(log.allSatisfy { $0["metrics"] == nil && $0["stats"] != nil })

        let evaluated = try run(["train", "--data", crops, "--eval-data", TrainerTests.dataset, "--out", folder + "/eval"]
                                + Self.tinyUnsupervised)
        XCTAssertEqual(evaluated.status, 0, evaluated.err)
        let metrics = TrainingLog(path: folder + "/eval/log.jsonl").entries().compactMap { $0["metrics"] as? [String: Any] }
        XCTAssertEqual(metrics.count, 2, "evaluated every epoch on the --eval-data query/gallery")
        XCTAssertNotNil(metrics.last?["mAP"])
    }

    func testAnExistingRunIsNotOverwrittenAndAFailedStartLeavesNoFolder() throws {
        let crops = try unlabeledCrops()
        let out = folder + "/run"
        let tiny = Self.tinyUnsupervised + ["--set", "training.epochs=1"]
        XCTAssertEqual(try run(["train", "--data", crops, "--out", out] + tiny).status, 0)
        let again = try run(["train", "--data", crops, "--out", out] + tiny)
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.err.contains("already holds a run") && again.err.contains("--overwrite")
                      && again.err.contains("--resume"), again.err)
        let replaced = try run(["train", "--data", crops, "--out", out, "--overwrite"] + tiny)
        XCTAssertEqual(replaced.status, 0, replaced.err)

        // A start that fails before its first checkpoint (no images) leaves no folder behind.
        try FileManager.default.createDirectory(atPath: folder + "/empty", withIntermediateDirectories: true)
        let failed = try run(["train", "--data", folder + "/empty", "--out", folder + "/never"] + tiny)
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/never"), "an empty run folder was left behind")
    }
}
