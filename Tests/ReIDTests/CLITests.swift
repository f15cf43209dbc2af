import Foundation
import XCTest
import ReIDTestSupport
@testable import ReID
@testable import Torch

/// Runs the built `reid` binary as a user would and checks what it prints.
final class CLITests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "reid-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func binary() throws -> URL { try ReidBinary.url() }

    @discardableResult
    func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try ReidBinary.run(arguments)
    }

    func testVersionAndHelp() throws {
        XCTAssertEqual(try run(["--version"]).out.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
        let help = try run(["extract", "--help"]).out
        XCTAssertTrue(help.contains("Examples:"), help)
    }

    func testEmptyFolderIsAClearError() throws {
        let r = try run(["extract", "--model", "osnet_x0_25", "--random-init", "--images", folder, "--out", folder + "/f.safetensors"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains(folder) && r.err.contains("contains no images"), r.err)
    }

    func testAblationSeedsAreChecked() throws {
        for (seeds, says) in [("0,x", "'x' is not a non-negative integer"), ("1,1", "seed 1 is given twice"), ("0,-2", "'-2'")] {
            let r = try run(["ablation", "--config", folder + "/plan.yaml", "--out", folder, "--seeds", seeds])
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.err.contains("--seeds") && r.err.contains(says), r.err)
        }
    }

    func testGeneratorOptionsAreChecked() throws {
        let judged = try run(["generator", "generate", "--run", folder, "--data", folder, "--out", folder + "/v", "--judge-weights", "w.pth"])
        XCTAssertNotEqual(judged.status, 0)
        XCTAssertTrue(judged.err.contains("--judge-weights needs --judge"), judged.err)
        let ema = try run(["generator", "train", "--data", TrainerTests.dataset, "--out", folder + "/g", "--ema-decay", "1"])
        XCTAssertNotEqual(ema.status, 0)
        XCTAssertTrue(ema.err.contains("--ema-decay 1"), ema.err)
    }

    func testWrongFlagIsAClearError() throws {
        let r = try run(["extract", "--model", "osnet_x0_25", "--random-init", "--images", folder, "--out", "x", "--batchsize", "3"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("--batchsize"), r.err)
    }

    func testUnknownModelListsTheKnownOnes() throws {
        let r = try run(["extract", "--model", "resnet51", "--images", folder, "--out", "x"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("resnet51") && r.err.contains("osnet_x0_25"), r.err)
    }

    func testSynthExtractAndCorruptWeights() throws {
        let weights = folder + "/small.safetensors"
        let make = try run(["synth", "--out", folder + "/data", "--ids", "4", "--cameras", "2"])
        XCTAssertEqual(make.status, 0, make.err)
        let extracted = try run(["extract", "--model", "osnet_x0_25", "--random-init", "--dataset", folder + "/data",
                                 "--out", folder + "/f.safetensors", "--json"])
        XCTAssertEqual(extracted.status, 0, extracted.err)
        let summary = try JSONSerialization.jsonObject(with: Data(extracted.out.utf8)) as? [String: Any]
        XCTAssertEqual(summary?["dims"] as? Int, 128, "OSNet x0.25's backbone ends in 128 channels")
        XCTAssertGreaterThan(summary?["images"] as? Int ?? 0, 0)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: weights))
        let r = try run(["extract", "--model", "osnet_x0_5", "--weights", weights, "--images", folder + "/data/query",
                         "--out", folder + "/g.safetensors"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("small.safetensors"), r.err)
    }
}

extension CLITests {
    /// Side-by-side single-threaded streams give the same features, in the same order.
    func testExtractionInStreamsMatchesOneStream() throws {
        let onnx = "onnx:" + (try SharedData.file("weights/osnet_x0_25_msmt17.onnx"))
        XCTAssertEqual(try run(["synth", "--out", folder + "/data", "--ids", "4", "--cameras", "2"]).status, 0)
        let plain = try run(["extract", "--model", onnx, "--dataset", folder + "/data", "--out", folder + "/f.safetensors"])
        XCTAssertEqual(plain.status, 0, plain.err)
        let streamed = try run(["extract", "--model", onnx, "--dataset", folder + "/data", "--streams", "2",
                                "--batch", "3", "--out", folder + "/s.safetensors"])
        XCTAssertEqual(streamed.status, 0, streamed.err)
        let one = try XCTUnwrap(try Safetensors.load(folder + "/f.safetensors")["features"])
        let two = try XCTUnwrap(try Safetensors.load(folder + "/s.safetensors")["features"])
        XCTAssertEqual(one.shape, two.shape)
        XCTAssertGreaterThan(one.size(0), 6, "several batches of 3")
        XCTAssertLessThan(try (one - two).abs().max().item(), 1e-4)
        let zero = try run(["extract", "--model", onnx, "--images", folder + "/data/query", "--streams", "0", "--out", "x"])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.err.contains("--streams"), zero.err)
    }

    func goldenSection(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: try SharedData.file("fixtures/golden.json")))
        return (try JSONSerialization.jsonObject(with: data) as! [String: Any])[name] as! [String: Any]
    }

    func assertJSON(_ out: String, matches expected: [String: Any], file: StaticString = #filePath, line: UInt = #line) throws {
        let got = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Double], out)
        XCTAssertEqual(Set(got.keys), ["rank1", "rank5", "rank10", "mAP", "mINP"], file: file, line: line)
        for (key, value) in got {
            XCTAssertEqual(value, (expected[key] as! NSNumber).doubleValue, accuracy: 1e-4, key, file: file, line: line)
        }
    }

    func testEvaluateMatchesGoldenValues() throws {
        let fixture = try SharedData.file("fixtures/eval_cuhk03_osnet.safetensors")
        let gold = try goldenSection("cuhk03-pair1")
        let plain = try run(["evaluate", "--features", fixture, "--json"])
        XCTAssertEqual(plain.status, 0, plain.err)
        try assertJSON(plain.out, matches: gold["cosine"] as! [String: Any])
        let reranked = try run(["evaluate", "--features", fixture, "--rerank", "--k1", "20", "--k2", "6", "--lambda", "0.3", "--json"])
        XCTAssertEqual(reranked.status, 0, reranked.err)
        try assertJSON(reranked.out, matches: gold["cosine+rerank(k1=20,k2=6,lambda=0.3)"] as! [String: Any])
        let edge = try run(["evaluate", "--distmat", try SharedData.file("fixtures/eval_protocol_edge_cases.safetensors"), "--json"])
        XCTAssertEqual(edge.status, 0, edge.err)
        try assertJSON(edge.out, matches: try goldenSection("protocol_edge_cases"))
    }

    /// `reid cluster --camera-penalty` on features without cameras names the file and what to do;
    /// with cameras, it clusters and reports JSON.
    func testClusterCameraPenaltyNeedsCameras() throws {
        Runtime.seed(2)
        let features = try Tensor.cat((0..<4).map { _ in try Tensor.randn([1, 8]) + Tensor.randn([5, 8]) * 0.05 }, dim: 0)
        let bare = folder + "/no-cams.safetensors", withCams = folder + "/cams.safetensors"
        try Safetensors.save(["features": features], to: bare)
        try Safetensors.save(["features": features, "cams": try Tensor((0..<20).map { Int64($0 % 2) })], to: withCams)
        let refused = try run(["cluster", "--features", bare, "--camera-penalty", "0.1", "--out", folder + "/l.safetensors"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("no-cams.safetensors") && refused.err.contains("cams"), refused.err)
        let ok = try run(["cluster", "--features", withCams, "--camera-penalty", "0.1", "--k1", "5", "--k2", "2",
                          "--min-samples", "3", "--out", folder + "/l.safetensors", "--json"])
        XCTAssertEqual(ok.status, 0, ok.err)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ok.out.utf8)) as? [String: Any])
        XCTAssertEqual(json["images"] as? Int, 20)
        XCTAssertEqual(json["clusters"] as? Int, 4, ok.out)
    }

    func testEvaluateRejectsMismatchedTensors() throws {
        // A distmat whose shape disagrees with its labels, written with the Python-independent writer.
        let path = folder + "/bad.safetensors"
        let make = try run(["evaluate", "--distmat", path, "--json"])
        XCTAssertNotEqual(make.status, 0)
        XCTAssertTrue(make.err.contains("bad.safetensors"), make.err)
    }
}

extension CLITests {
    /// End to end on real images: OSNet x0.25 (MSMT17) on cuhk03-pair1 lands within 1.5 points of
    /// the reference Rank-1 and mAP; the small gap comes from OpenCV's bilinear resize versus PIL's.
    func testEvaluateDatasetNearGoldenOnRealImages() throws {
        let data = try SharedData.file("data/cuhk03-pair1")
        let onnx = try SharedData.file("weights/osnet_x0_25_msmt17.onnx")
        let r = try run(["evaluate", "--dataset", data, "--model", "onnx:" + onnx, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let got = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Double])
        let gold = try goldenSection("cuhk03-pair1")["cosine"] as! [String: Any]
        XCTAssertEqual(got["rank1"]!, (gold["rank1"] as! NSNumber).doubleValue, accuracy: 0.015)
        XCTAssertEqual(got["mAP"]!, (gold["mAP"] as! NSNumber).doubleValue, accuracy: 0.015)
    }
}

extension CLITests {
    /// SIGTERM mid-run leaves a valid last checkpoint, and --resume continues from it.
    func testSigtermLeavesAValidCheckpointThatResumes() throws {
        let data = TrainerTests.dataset
        let runFolder = folder + "/run"
        let process = Process()
        process.executableURL = try binary()
        process.arguments = ["train", "--method", "supervised", "--data", data, "--out", runFolder,
                             "--set", "model.backbone=osnet_x0_25", "--set", "data.height=64", "--set", "data.width=32",
                             "--set", "data.identitiesPerBatch=4", "--set", "data.instancesPerIdentity=4",
                             "--set", "training.epochs=200", "--set", "training.itersPerEpoch=2",
                             "--set", "training.evalEvery=0", "--set", "schedule.warmupEpochs=0"]
        process.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        process.standardError = err
        try process.run()
        let last = runFolder + "/last.safetensors"
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: last) && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: last), "a first checkpoint appears")
        Thread.sleep(forTimeInterval: 0.3)  // into a later epoch
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 143, message)
        XCTAssertTrue(message.contains("--resume"), message)
        // The checkpoint is whole: it loads, and its epoch is recorded.
        let (tensors, metadata) = try Safetensors.load(last, only: nil)
        XCTAssertFalse(tensors.isEmpty)
        let epoch = try XCTUnwrap(metadata["epoch"].flatMap(Int.init))
        XCTAssertGreaterThanOrEqual(epoch, 1)
        let resumed = try run(["train", "--resume", runFolder, "--set", "training.epochs=\(epoch + 1)", "--json"])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("resuming"), resumed.err)
        let summary = try JSONSerialization.jsonObject(with: Data(resumed.out.utf8)) as? [String: Any]
        XCTAssertEqual(summary?["last_epoch"] as? Int, epoch + 1)
    }

    func testTrainRejectsAMisspelledConfigKey() throws {
        let r = try run(["train", "--data", folder, "--out", folder + "/r", "--set", "optimizer.lrate=0.1"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("optimizer.lrate") && r.err.contains("did you mean 'lr'"), r.err)
    }
}
