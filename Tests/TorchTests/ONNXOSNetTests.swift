import XCTest
@testable import Torch

/// The real OSNet x0.25 export from ../shared, run as a Torch module.
final class ONNXOSNetTests: XCTestCase {
    override class func setUp() { Runtime.configureThreads() }

    func testEvalOutputMatchesOnnxruntime() throws {
        let fixture = try Safetensors.load(SharedFiles.path("fixtures/osnet_x0_25_msmt17_parity.safetensors"))
        let input = try XCTUnwrap(fixture["input"]), expected = try XCTUnwrap(fixture["output"])
        for channelsLast in [true, false] {
            let graph = try ONNXGraph(path: SharedFiles.osnetONNX, channelsLast: channelsLast)
            graph.eval()
            let output = try withNoGrad { try graph(input) }
            XCTAssertEqual(output.shape, [16, 512])
            let error = try maxRowRelativeError(output, expected)
            XCTAssertLessThan(error, 1e-4, "largest per-row relative L2 error (channelsLast: \(channelsLast))")
        }
    }

    /// The traced, inference-optimised path (with OSNet's ReLUs, gates and residual adds fused into
    /// oneDNN ops) matches onnxruntime; so does a short batch, which runs padded through the full
    /// batch's script.
    func testTracedInferenceMatchesOnnxruntimeAlsoForAShortBatch() throws {
        let fixture = try Safetensors.load(SharedFiles.path("fixtures/osnet_x0_25_msmt17_parity.safetensors"))
        let input = try XCTUnwrap(fixture["input"]), expected = try XCTUnwrap(fixture["output"])
        let graph = try ONNXGraph(path: SharedFiles.osnetONNX)
        graph.eval()
        graph.requiresGrad(false)
        let traced = TracedInference { try graph($0) }
        let output = try traced(input)
        XCTAssertNil(traced.fallbackReason)
        XCTAssertLessThan(try maxRowRelativeError(output, expected), 1e-4)
        XCTAssertEqual(traced.nodeCount("aten::relu_"), 0, "every ReLU fused")
        XCTAssertEqual(traced.nodeCount("swiftreid::gate_add_"), 18, "3 gated sums in each of 6 blocks")
        let short = try traced(input.narrow(dim: 0, start: 0, length: 12))
        XCTAssertEqual(short.shape, [12, 512])
        XCTAssertLessThan(try maxRowRelativeError(short, expected.narrow(dim: 0, start: 0, length: 12)), 1e-4,
                          "12 of 16 rows")
    }

    func testInitializersBecomeNamedParametersAndBuffers() throws {
        let graph = try ONNXGraph(path: SharedFiles.osnetONNX)
        XCTAssertEqual(graph.inputNames, ["images"])
        XCTAssertEqual(graph.outputNames, ["output"])
        let parameters = Dictionary(uniqueKeysWithValues: graph.namedParameters().map { ($0.name, $0.tensor) })
        let buffers = Set(graph.namedBuffers().map(\.name))
        XCTAssertEqual(parameters["conv2.0.conv2a.conv1.weight"]?.shape, [16, 16, 1, 1])
        XCTAssertEqual(parameters["fc.0.weight"]?.shape, [512, 128])
        XCTAssertTrue(parameters["fc.1.weight"]?.requiresGrad ?? false)
        XCTAssertEqual(buffers, ["fc.1.running_mean", "fc.1.running_var", "/Constant_output_0", "/Constant_1_output_0"])
        XCTAssertEqual(parameters.count + buffers.count, 250)
        // The state dict is exactly what WeightFile reads from the same file.
        XCTAssertEqual(Set(graph.stateDict().keys), Set(try WeightFile.load(SharedFiles.osnetONNX).keys))
    }

    func testTrainingStepGivesGradientsAndMovesEveryParameter() throws {
        Runtime.seed(7)
        let graph = try ONNXGraph(path: SharedFiles.osnetONNX)
        graph.train()
        let parameters = graph.namedParameters()
        let before = try parameters.map { try $0.tensor.clone() }
        let runningMean = try XCTUnwrap(graph.stateDict()["fc.1.running_mean"]).clone()
        let optimizer = try Optimizer.adam(graph.trainableParameters(), lr: 1e-3)

        // The batch BatchNormalization normalises over must be larger than 2, or the output no
        // longer depends on what comes before it.
        let x = try Tensor.randn([4, 3, 128, 64])
        let loss = try (graph(x) - 1).square().mean()
        try loss.backward()
        var zero: [String] = []
        for (name, p) in parameters {
            let grad = try XCTUnwrap(p.grad, "\(name) has no gradient")
            XCTAssertEqual(try grad.isFinite().logicalNot().sum().item(), 0, "\(name) has a non-finite gradient")
            if try grad.abs().sum().item() == 0 { zero.append(name) }
        }
        XCTAssertEqual(zero, [], "parameters with an all-zero gradient")
        try optimizer.step()
        for ((name, p), old) in zip(parameters, before) {
            XCTAssertGreaterThan(try (p - old).abs().max().item(), 0, "\(name) did not change")
        }
        XCTAssertGreaterThan(try (graph.stateDict()["fc.1.running_mean"]! - runningMean).abs().max().item(), 0,
                             "training mode updates BatchNormalization's running statistics")
    }

    func testTruncatedFileIsAClearError() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: SharedFiles.osnetONNX))
        let path = try temporaryDirectory().appendingPathComponent("cut.onnx").path
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ONNXGraph(path: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix(path + ": not a valid ONNX model"), "\(error)")
        }
        XCTAssertThrowsError(try WeightFile.load(path)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
    }
}
