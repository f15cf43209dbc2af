import Foundation
import XCTest
import ReIDTestSupport
@testable import ReID
@testable import Torch

/// Exported ONNX graphs compute the model's own features: re-imported by SwiftReID's ONNX
/// runner, and in onnxruntime (skipped with a message when Python or onnxruntime is missing).
final class ONNXExportTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "reid-export-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// Non-trivial normalisation statistics, so a mistake in exporting a norm shows.
    func randomiseNorms(_ model: ReIDModel) throws {
        try withNoGrad {
            for (_, module) in model.namedModules() {
                if let bn = module as? BatchNorm {
                    try bn.runningMean.normal_(mean: 0, std: 0.1)
                    try bn.runningVar.uniform_(0.5, 1.5)
                    try bn.weight?.uniform_(0.8, 1.2)
                    try bn.bias?.normal_(mean: 0, std: 0.1)
                } else if let norm = module as? InstanceNorm2d {
                    try norm.weight?.uniform_(0.8, 1.2)
                    try norm.bias?.normal_(mean: 0, std: 0.1)
                }
            }
        }
    }

    /// Exports `backbone`, checks it against the eager model; returns the paths for onnxruntime.
    /// Absolute differences are compared with 1e-4 × max(1, largest |feature|): randomly
    /// initialised ResNet-50s give features in the hundreds, where float32 rounding alone is ~1e-4.
    func exportAndCompare(_ backbone: String, pooling: PoolingKind = .average, weights: String? = nil, height: Int, width: Int,
                          file: StaticString = #filePath, line: UInt = #line) throws -> (onnx: String, input: Tensor, expected: Tensor) {
        let model = try ReIDModel(backbone: backbone, head: HeadConfiguration(pooling: pooling))
        if let weights { try model.loadWeights(from: weights) } else { try randomiseNorms(model) }
        model.eval()
        let input = try Tensor.randn([2, 3, height, width])
        let expected = try withNoGrad { try model(input).embedding }
        let path = folder + "/\(backbone).onnx"
        let onnx = try ModelONNXExport.write(model, height: height, width: width, to: path)
        XCTAssertEqual(onnx.graph.outputs.first?.name, "features", file: file, line: line)
        let graph = try ONNXGraph(path: path, channelsLast: false)
        graph.eval()
        let reimported = try withNoGrad { try graph(input) }
        XCTAssertEqual(reimported.shape, expected.shape, file: file, line: line)
        let diff = try (reimported - expected).abs().max().item()
        let scale = try expected.abs().max().item()
        XCTAssertLessThan(diff, 1e-4 * max(1, scale), "\(backbone): SwiftReID's ONNX runner differs by \(diff)", file: file, line: line)
        return (path, input, expected)
    }

    func testOSNetExportMatches() throws {
        let r = try exportAndCompare("osnet_x0_25", height: 256, width: 128)
        try checkInOnnxruntime(r)
    }

    func testMobileNetV2WithGeMExportMatches() throws {
        let r = try exportAndCompare("mobilenetv2", pooling: .gem, height: 256, width: 128)
        try checkInOnnxruntime(r)
    }

    func testMobileNetV2ImageNetWeightsExportMatches() throws {
        let weights = try SharedData.file("weights/mobilenetv2_imagenet.safetensors")
        try checkInOnnxruntime(try exportAndCompare("mobilenetv2", weights: weights, height: 256, width: 128))
    }

    func testResNet50AndIBNExportMatch() throws {
        try checkInOnnxruntime(try exportAndCompare("resnet50", height: 128, width: 64))
        try checkInOnnxruntime(try exportAndCompare("resnet50-ibn-a", pooling: .max, height: 128, width: 64))
    }

    /// `reid export --run` rebuilds the run's model from config.yaml and its best checkpoint.
    func testExportCommandFromARunFolder() throws {
        var config = TrainingConfig()
        config.model.backbone = "osnet_x0_25"
        config.model.pooling = "gem"
        config.data.height = 128
        config.data.width = 64
        let run = RunDirectory(folder + "/run")
        try run.create()
        try ConfigLoader.yaml(config).write(toFile: run.config, atomically: true, encoding: .utf8)
        let model = try ReIDModel(backbone: "osnet_x0_25", head: HeadConfiguration(pooling: .gem, classes: 5))
        try randomiseNorms(model)
        try Safetensors.save(model.stateDict(), to: run.best)
        let out = folder + "/run.onnx"
        let r = try ReidBinary.run(["export", "--run", run.path, "--format", "onnx", "--out", out, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let summary = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        XCTAssertEqual(summary?["input"] as? String, "128x64")
        model.eval()
        let input = try Tensor.randn([3, 3, 128, 64])
        let expected = try withNoGrad { try model(input).embedding }
        let graph = try ONNXGraph(path: out, channelsLast: false)
        graph.eval()
        let diff = try (withNoGrad { try graph(input) } - expected).abs().max().item()
        XCTAssertLessThan(diff, 1e-4)
        try checkInOnnxruntime((out, input, expected))
        let missing = try ReidBinary.run(["export", "--run", folder, "--out", out])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("config.yaml"), missing.err)
    }

    /// Saves `model` as the last checkpoint of a run described by `config`, exports the run with
    /// `reid export --run`, and checks the graph (SwiftReID's runner and onnxruntime) against the
    /// model's own evaluation embedding of `input`.
    func exportRunAndCheck(_ model: ReIDModel, config: TrainingConfig, name: String, input: Tensor,
                           file: StaticString = #filePath, line: UInt = #line) throws {
        let run = RunDirectory(folder + "/" + name)
        try run.create()
        try ConfigLoader.yaml(config).write(toFile: run.config, atomically: true, encoding: .utf8)
        try Safetensors.save(model.stateDict(), to: run.last)
        let out = folder + "/\(name).onnx"
        let r = try ReidBinary.run(["export", "--run", run.path, "--out", out, "--json"])
        XCTAssertEqual(r.status, 0, r.err, file: file, line: line)
        model.eval()
        let expected = try withNoGrad { try model(input).embedding }
        let graph = try ONNXGraph(path: out, channelsLast: false)
        graph.eval()
        let got = try withNoGrad { try graph(input) }
        XCTAssertEqual(got.shape, expected.shape, name, file: file, line: line)
        XCTAssertLessThan(try (got - expected).abs().max().item(), 1e-4, name, file: file, line: line)
        try checkInOnnxruntime((out, input, expected), file: file, line: line)
    }

    /// A PPLR run (global + 3 part features) exports its evaluation embedding, as SwiftReID computes it.
    func testAPartsRunExportsItsEvaluationEmbedding() throws {
        var config = TrainingConfig()
        config.method = "pplr"
        config.model.backbone = "osnet_x0_25"
        config.model.parts = 3
        config.data.height = 128
        config.data.width = 64
        let model = try ReIDModel(backbone: "osnet_x0_25", head: HeadConfiguration(parts: 3))
        try randomiseNorms(model)
        try exportRunAndCheck(model, config: config, name: "pplr", input: Tensor.randn([2, 3, 128, 64]))
    }

    /// Runs trained from an ONNX file (`--init model.onnx`: global, and PPLR's parts, which cut
    /// the graph at its pooling) export the imported graph with the run's changed weights.
    func testRunsInitialisedFromAnONNXFileExport() throws {
        let osnet = try SharedData.file("weights/osnet_x0_25_msmt17.onnx")
        for (label, parts, pooling) in [("global", 0, "gem"), ("parts", 3, "average")] {
            var config = TrainingConfig()
            config.method = parts > 0 ? "pplr" : "uda"
            config.model.backbone = "onnx:" + osnet
            config.model.parts = parts
            config.model.pooling = pooling
            config.data.height = 128
            config.data.width = 64
            let model = try ReIDModel(backbone: config.model.backbone, head: try config.model.head(classes: 0))
            // Changed weights and statistics everywhere, so an export of the file's own weights shows.
            try withNoGrad {
                for (_, tensor) in model.stateDict() where tensor.dtype.isFloatingPoint && tensor.rank > 0 {
                    try tensor.mul_(0.9)
                }
            }
            try randomiseNorms(model)
            let input = try Tensor.randn([2, 3, 128, 64])
            let original = try withNoGrad { () -> Tensor in
                let fresh = try ReIDModel(backbone: config.model.backbone, head: try config.model.head(classes: 0))
                fresh.eval()
                return try fresh(input).embedding
            }
            model.eval()
            let changed = try withNoGrad { try model(input).embedding }
            XCTAssertGreaterThan(try (original - changed).abs().max().item(), 1e-2, "\(label): the changed weights change nothing")
            try exportRunAndCheck(model, config: config, name: label, input: input)
        }
    }

    /// A part model on an ONNX network keeps the network's own embedding for its global feature:
    /// before training, the global feature before the BNNeck is the network's output.
    func testAPartModelOnAnONNXNetworkKeepsItsEmbedding() throws {
        let osnet = try SharedData.file("weights/osnet_x0_25_msmt17.onnx")
        let model = try ReIDModel(backbone: "onnx:" + osnet, head: HeadConfiguration(parts: 3))
        model.eval()
        XCTAssertEqual(model.featureDimension, 512)
        XCTAssertEqual(model.partDimension, 128)
        let input = try Tensor.randn([2, 3, 256, 128])
        let out = try withNoGrad { try model(input) }
        let network = try ONNXGraph(path: osnet)
        network.eval()
        let expected = try withNoGrad { try network(input) }
        XCTAssertLessThan(try (out.global.beforeBNNeck - expected).abs().max().item(), 1e-4)
        XCTAssertEqual(out.parts.map { $0.afterBNNeck.size(1) }, [128, 128, 128])
    }

    /// The job end to end, each step given only the run: adapt on unlabeled camera folders (UDA)
    /// with a labelled eval set → index build → search → export → onnxruntime gives SwiftReID's
    /// own features of the run.
    func testAdaptIndexSearchAndExportWithRunAlone() throws {
        let crops = try CLITests.unlabeledCrops(in: folder)
        let run = folder + "/adapted"
        let trained = try ReidBinary.run(["train", "--data", crops, "--eval-data", TrainerTests.dataset, "--out", run]
                                         + CLITests.tinyUnsupervised + ["--method", "uda"])
        XCTAssertEqual(trained.status, 0, trained.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/best.safetensors"))
        let db = folder + "/gallery.sqlite"
        let built = try ReidBinary.run(["index", "build", "--gallery", crops, "--run", run, "--db", db])
        XCTAssertEqual(built.status, 0, built.err)
        let query = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: crops + "/cam1").sorted().first)
        let searched = try ReidBinary.run(["search", "--db", db, "--query", crops + "/cam1/" + query, "--run", run, "--json"])
        XCTAssertEqual(searched.status, 0, searched.err)
        let out = folder + "/adapted.onnx"
        let exported = try ReidBinary.run(["export", "--run", run, "--out", out])
        XCTAssertEqual(exported.status, 0, exported.err)
        // SwiftReID's features of the run (reid extract --run on a tensor) against onnxruntime's.
        let input = try Tensor.randn([2, 3, 64, 32])
        try Safetensors.save(["input": input], to: folder + "/input.safetensors")
        let extracted = try ReidBinary.run(["extract", "--run", run, "--tensor", folder + "/input.safetensors",
                                            "--out", folder + "/features.safetensors"])
        XCTAssertEqual(extracted.status, 0, extracted.err)
        let expected = try XCTUnwrap(try Safetensors.load(folder + "/features.safetensors")["features"])
        try checkInOnnxruntime((out, input, expected))
    }

    func testCustomLambdaIsRefusedByName() throws {
        let graph = ONNXGraphBuilder()
        XCTAssertThrowsError(try graph.apply(Sequential(Lambda { try $0 * 2 }), "x", name: "body")) { error in
            XCTAssertTrue("\(error)".contains("body.0") && "\(error)".contains("custom Lambda"), "\(error)")
        }
    }

    // MARK: onnxruntime

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// REID_PYTHON, the test venv (scripts/test-venv.sh), the bench venv, or python3.
    static func python() -> String? {
        let root = packageRoot.path
        var candidates = [root + "/.venv-test/bin/python", root + "/bench/.venv/bin/python", "/usr/bin/python3"]
        if let explicit = ProcessInfo.processInfo.environment["REID_PYTHON"] { candidates.insert(explicit, at: 0) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func checkInOnnxruntime(_ r: (onnx: String, input: Tensor, expected: Tensor), file: StaticString = #filePath,
                            line: UInt = #line) throws {
        guard let python = Self.python() else {
            throw XCTSkip("no Python found for the onnxruntime check; run scripts/test-venv.sh (or set REID_PYTHON)")
        }
        let inputPath = folder + "/input.bin", expectedPath = folder + "/expected.bin"
        try Data(r.input.contiguous().floats().withUnsafeBufferPointer { Data(buffer: $0) }).write(to: URL(fileURLWithPath: inputPath))
        try Data(r.expected.contiguous().floats().withUnsafeBufferPointer { Data(buffer: $0) }).write(to: URL(fileURLWithPath: expectedPath))
        let (status, data) = try ProcessOutput.run(python, [Self.packageRoot.path + "/scripts/onnx_check.py", r.onnx, inputPath,
                                                            r.input.shape.map(String.init).joined(separator: ","), expectedPath])
        let report = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        if status == 3 {
            throw XCTSkip("onnxruntime is not installed for \(python) (\(report["error"] ?? "")); run scripts/test-venv.sh")
        }
        XCTAssertEqual(status, 0, String(decoding: data, as: UTF8.self), file: file, line: line)
        let diff = try XCTUnwrap(report["max_abs_diff"] as? Double, String(decoding: data, as: UTF8.self), file: file, line: line)
        let scale = report["max_abs_value"] as? Double ?? 0
        print("onnxruntime vs SwiftReID on \((r.onnx as NSString).lastPathComponent): max |diff| \(diff), max |feature| \(scale)")
        XCTAssertLessThan(diff, 1e-4 * max(1, scale), "onnxruntime differs from SwiftReID by \(diff) on \(r.onnx)", file: file, line: line)
    }
}
