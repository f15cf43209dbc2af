import XCTest
@testable import Torch

/// Writing and reading ONNX files, and the errors a bad file gives.
final class ONNXFileTests: XCTestCase {
    /// Conv(3→4, 3×3, pad 1) → Relu → Flatten → Gemm(transB) as a user would export it.
    private func tinyModel() throws -> (ONNXModel, [(name: String, tensor: Tensor)]) {
        Runtime.seed(1)
        let nodes: [ONNXModel.Node] = [
            .init("Conv", name: "conv", inputs: ["x", "conv.weight", "conv.bias"], outputs: ["c"],
                  attributes: [.init("kernel_shape", .ints([3, 3])), .init("pads", .ints([1, 1, 1, 1])),
                               .init("strides", .ints([1, 1])), .init("group", .int(1)),
                               .init("auto_pad", .string("NOTSET"))]),
            .init("Relu", name: "relu", inputs: ["c"], outputs: ["r"]),
            .init("Flatten", name: "flatten", inputs: ["r"], outputs: ["f"], attributes: [.init("axis", .int(1))]),
            .init("Gemm", name: "fc", inputs: ["f", "fc.weight", "fc.bias"], outputs: ["y"],
                  attributes: [.init("alpha", .float(1)), .init("beta", .float(1)), .init("transB", .int(1))]),
        ]
        let model = ONNXModel(graph: .init(nodes: nodes,
                                           inputs: [.init(name: "x", shape: [.param("batch"), .value(3), .value(5), .value(5)])],
                                           outputs: [.init(name: "y", shape: [.param("batch"), .value(2)])]),
                              opset: 13)
        let initializers = [("conv.weight", try Tensor.randn([4, 3, 3, 3])), ("conv.bias", try Tensor.randn([4])),
                            ("fc.weight", try Tensor.randn([2, 100])), ("fc.bias", try Tensor.randn([2]))]
        return (model, initializers.map { (name: $0.0, tensor: $0.1) })
    }

    func testTinyModelRoundTripsAndRuns() throws {
        let (model, initializers) = try tinyModel()
        let path = try temporaryDirectory().appendingPathComponent("tiny.onnx").path
        try ONNXFile.write(model, initializers: initializers, to: path)

        let contents = try ONNXFile.read(path)
        XCTAssertEqual(contents.model, model)
        XCTAssertEqual(contents.initializers.map(\.name), initializers.map(\.name))
        for (read, written) in zip(contents.initializers, initializers) {
            XCTAssertEqual(try read.tensor.floats(), try written.tensor.floats(), read.name)
        }

        let graph = try ONNXGraph(path: path)
        graph.eval()
        let x = try Tensor.randn([2, 3, 5, 5])
        let w = Dictionary(uniqueKeysWithValues: initializers)
        let expected = try F.linear(
            F.conv2d(x, weight: w["conv.weight"]!, bias: w["conv.bias"]!, padding: (1, 1)).relu().flatten(from: 1),
            weight: w["fc.weight"]!, bias: w["fc.bias"]!)
        try assertClose(try graph(x), expected, accuracy: 1e-5)
        XCTAssertEqual(graph.namedParameters().map(\.name), ["conv.weight", "conv.bias", "fc.weight", "fc.bias"])

        // Saving the module writes its current weights.
        try withNoGrad { try graph.namedParameters()[3].tensor.add_(Tensor.ones([2])) }
        let resaved = path + ".saved.onnx"
        try graph.save(to: resaved)
        try assertClose(try ONNXGraph(path: resaved)(x), expected + 1, accuracy: 1e-5)
    }

    func testUnsupportedOperatorIsNamedWithTheFile() throws {
        let path = try temporaryDirectory().appendingPathComponent("model.onnx").path
        let model = ONNXModel(graph: .init(nodes: [
            .init("Relu", name: "n1", inputs: ["x"], outputs: ["a"]),
            .init("FooOp", name: "n3", inputs: ["a"], outputs: ["b"]),
            .init("FooOp", name: "n4", inputs: ["b"], outputs: ["c"]),
            .init("Fused", name: "n5", inputs: ["c"], outputs: ["y"], domain: "com.example"),
        ], inputs: [.init(name: "x")], outputs: [.init(name: "y")]), opset: 13)
        try ONNXFile.write(model, initializers: [], to: path)
        XCTAssertThrowsError(try ONNXGraph(path: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("\(path): unsupported ONNX operator(s): FooOp (node 'n3'), "
                + "com.example.Fused (node 'n5'); supported: "), text)
            XCTAssertTrue(text.contains("Conv, "), text)
        }
    }

    func testGarbageAndMissingFilesAreClearErrors() throws {
        let folder = try temporaryDirectory()
        let garbage = folder.appendingPathComponent("garbage.onnx").path
        try Data("this is not a protobuf, just some text that ends abruptly \u{1}\u{2}\u{3}".utf8)
            .write(to: URL(fileURLWithPath: garbage))
        let empty = folder.appendingPathComponent("empty.onnx").path
        try Data().write(to: URL(fileURLWithPath: empty))
        for path in [garbage, empty] {
            XCTAssertThrowsError(try ONNXGraph(path: path)) { error in
                XCTAssertTrue("\(error)".hasPrefix(path + ": not a valid ONNX model"), "\(error)")
            }
            XCTAssertThrowsError(try WeightFile.load(path)) { error in
                XCTAssertTrue("\(error)".hasPrefix(path + ": not a valid ONNX model"), "\(error)")
            }
        }
        let missing = folder.appendingPathComponent("missing.onnx").path
        XCTAssertThrowsError(try ONNXGraph(path: missing)) { error in
            XCTAssertEqual("\(error)", "\(missing): no such ONNX file")
        }
    }

    func testGraphErrorsNameTheNode() throws {
        XCTAssertThrowsError(try makeGraph([.init("Relu", name: "r", inputs: ["nowhere"], outputs: ["y"])],
                                           inputs: ["x"], outputs: ["y"], file: "undefined.onnx")) { error in
            XCTAssertTrue("\(error)".contains("undefined.onnx: node 'r' (Relu) reads 'nowhere'"), "\(error)")
        }
        XCTAssertThrowsError(try makeGraph([.init("Resize", name: "up", inputs: ["x", "", "s"], outputs: ["y"],
                                                  attributes: [.init("mode", .string("cubic"))])],
                                           inputs: ["x", "s"], outputs: ["y"], file: "cubic.onnx")) { error in
            XCTAssertTrue("\(error)".contains("cubic.onnx: node 'up' (Resize): mode 'cubic'"), "\(error)")
        }
        let graph = try makeGraph([.init("Reshape", name: "rs", inputs: ["x", "shape"], outputs: ["y"])],
                                  inputs: ["x"], outputs: ["y"],
                                  initializers: [("shape", try Tensor([7, -1] as [Int64]))], file: "reshape.onnx")
        XCTAssertThrowsError(try graph(Tensor.zeros([2, 3]))) { error in
            XCTAssertTrue("\(error)".contains("reshape.onnx: node 'rs' (Reshape): libtorch"), "\(error)")
        }
    }

    func testWeightFileReadsOSNetInitializers() throws {
        let weights = try WeightFile.load(SharedFiles.osnetONNX)
        XCTAssertEqual(weights.count, 250)
        XCTAssertEqual(weights["conv2.0.conv2a.conv1.weight"]?.shape, [16, 16, 1, 1])
        XCTAssertEqual(weights["conv2.0.conv2a.conv1.weight"]?.dtype, .float32)
        XCTAssertEqual(weights["fc.1.running_var"]?.shape, [512])
        XCTAssertEqual(weights["/Constant_1_output_0"]?.dtype, .int64)
    }
}
