import Foundation
import XCTest
import ReIDTestSupport
@testable import ReID
@testable import Torch

/// A training run is a model: extract, evaluate and index build take `--run` alone.
extension CLITests {
    func testARunIsUsedWithRunAloneAndAContradictingSizeIsRefused() throws {
        let crops = try unlabeledCrops()
        let runFolder = folder + "/pplr"
        // PPLR: a head with parts, which fits no plain --model.
        let trained = try run(["train", "--data", crops, "--out", runFolder] + Self.tinyUnsupervised
                              + ["--method", "pplr", "--set", "model.parts=3", "--set", "training.epochs=1", "--set", "pplr.k=5"])
        XCTAssertEqual(trained.status, 0, trained.err)

        let features = folder + "/f.safetensors"
        let extracted = try run(["extract", "--run", runFolder, "--dataset", TrainerTests.dataset, "--out", features, "--json"])
        XCTAssertEqual(extracted.status, 0, extracted.err)
        // The same features as the model the run evaluates with, built from its config by hand.
        let model = try RunModel(directory: runFolder).model()
        let first = try Market1501(root: TrainerTests.dataset).query[0].path
        var input = [Float](repeating: 0, count: 3 * 64 * 32)
        try ImageLoading.loadNormalized(first, height: 64, width: 32, into: &input)
        let expected = try withNoGrad { try model(Tensor(input, shape: [1, 3, 64, 32])).embedding }.flatten().floats()
        let got = try Safetensors.load(features)["features"]!.narrow(dim: 0, start: 0, length: 1).flatten().floats()
        XCTAssertEqual(got.count, expected.count)
        for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-4) }

        // --data, as train takes it, names the dataset here too (--dataset still works above).
        let evaluated = try run(["evaluate", "--data", TrainerTests.dataset, "--run", runFolder, "--json",
                                 "--report", folder + "/eval", "--ranked", "worst", "--batch", "7", "--device", "cpu"])
        XCTAssertEqual(evaluated.status, 0, evaluated.err)
        let page = try String(contentsOfFile: folder + "/eval/report.html", encoding: .utf8)
        XCTAssertTrue(page.contains("lowest average precision, worst first"), "--ranked worst")
        XCTAssertTrue(page.contains("Model: run:") && page.contains("input 64x32"), "the report names the model and input")
        let db = folder + "/gallery.sqlite"
        let indexed = try run(["index", "build", "--gallery", crops, "--run", runFolder, "--db", db])
        XCTAssertEqual(indexed.status, 0, indexed.err)
        let searched = try run(["search", "--db", db, "--query", first, "--run", runFolder, "--json"])
        XCTAssertEqual(searched.status, 0, searched.err)
        let otherRun = folder + "/other"
        XCTAssertEqual(try run(["train", "--data", crops, "--out", otherRun] + Self.tinyUnsupervised
                               + ["--set", "training.epochs=1"]).status, 0)
        let other = try run(["search", "--db", db, "--query", first, "--run", otherRun])
        XCTAssertNotEqual(other.status, 0, "a run that is not the gallery's is refused")
        XCTAssertTrue(other.err.contains("not comparable"), other.err)

        // The checkpoint file alone names its run.
        let byFile = try run(["extract", "--run", runFolder + "/last.safetensors", "--images", crops + "/cam1", "--out", features])
        XCTAssertEqual(byFile.status, 0, byFile.err)

        let contradicted = try run(["extract", "--run", runFolder, "--size", "128x64", "--images", crops, "--out", features])
        XCTAssertNotEqual(contradicted.status, 0)
        XCTAssertTrue(contradicted.err.contains("contradicts") && contradicted.err.contains("64x32"), contradicted.err)
        let both = try run(["extract", "--run", runFolder, "--model", "osnet_x0_25", "--images", crops, "--out", features])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.err.contains("--run carries its model"), both.err)
    }

    /// An ONNX --init is the backbone; config.yaml says so (it used to record the default resnet50),
    /// and the run keeps a copy of the graph: it still extracts and exports after the file is gone,
    /// and it initialises another training by its folder alone.
    func testAnONNXInitialisedRunNamesItsGraph() throws {
        let onnx = folder + "/moved-later.onnx"
        try FileManager.default.copyItem(atPath: try SharedData.file("weights/osnet_x0_25_msmt17.onnx"), toPath: onnx)
        let crops = try unlabeledCrops()
        let runFolder = folder + "/uda"
        let trained = try run(["train", "--data", crops, "--out", runFolder, "--init", onnx] + Self.tinyUnsupervised
                              + ["--set", "training.epochs=1"])
        XCTAssertEqual(trained.status, 0, trained.err)
        let config = try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(), yamlFile: runFolder + "/config.yaml")
        XCTAssertEqual(config.model.backbone, "onnx:" + URL(fileURLWithPath: onnx).standardizedFileURL.path)
        XCTAssertEqual(config.model.initialWeights, "")
        try FileManager.default.removeItem(atPath: onnx)
        let extracted = try run(["extract", "--run", runFolder, "--images", crops + "/cam1", "--out", folder + "/f.safetensors"])
        XCTAssertEqual(extracted.status, 0, extracted.err)
        let exported = try run(["export", "--run", runFolder, "--out", folder + "/uda.onnx"])
        XCTAssertEqual(exported.status, 0, exported.err)

        // The run as --init of the next training: its graph and checkpoint, whatever the config's backbone.
        let next = folder + "/next"
        let again = try run(["train", "--data", crops, "--out", next, "--init", runFolder] + Self.tinyUnsupervised
                            + ["--set", "training.epochs=1"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.err.contains("initialising from the run"), again.err)
        let nextConfig = try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(), yamlFile: next + "/config.yaml")
        XCTAssertEqual(nextConfig.model.backbone, "onnx:" + URL(fileURLWithPath: runFolder + "/backbone.onnx").standardizedFileURL.path)
        XCTAssertTrue(nextConfig.model.initialWeights.hasSuffix("uda/best.safetensors"), nextConfig.model.initialWeights)
    }
}
