import XCTest
@testable import Torch

/// ONNX operator semantics on tiny graphs, each checked against Torch ops or hand values.
final class ONNXOperatorTests: XCTestCase {
    private typealias Node = ONNXModel.Node
    private func ints(_ v: [Int64]) throws -> Tensor { try Tensor(v) }
    private func floats(_ v: [Float], _ shape: [Int]) throws -> Tensor { try Tensor(v, shape: shape) }

    func testRuntimeShapeArithmeticFollowsTheBatch() throws {
        // Shape → Gather → Unsqueeze → Concat → Reshape, as PyTorch exports x.view(x.size(0), -1).
        let graph = try makeGraph([
            Node("Shape", name: "shape", inputs: ["x"], outputs: ["s"]),
            Node("Constant", name: "zero", inputs: [], outputs: ["i"],
                 attributes: [.init("value", .tensor(.init(name: "zero", dims: [], dataType: .int64)))]),
            Node("Gather", name: "gather", inputs: ["s", "i"], outputs: ["n"], attributes: [.init("axis", .int(0))]),
            Node("Unsqueeze", name: "unsqueeze", inputs: ["n", "axes"], outputs: ["n1"]),
            Node("Concat", name: "concat", inputs: ["n1", "minus1"], outputs: ["target"], attributes: [.init("axis", .int(0))]),
            Node("Reshape", name: "reshape", inputs: ["x", "target"], outputs: ["y"]),
        ], inputs: ["x"], outputs: ["y"], initializers: [("axes", try ints([0])), ("minus1", try ints([-1]))],
           attributeTensors: ["zero": try Tensor([0] as [Int64], shape: [])])
        XCTAssertEqual(graph.namedParameters().count, 0, "integer initializers are buffers")
        for batch in [1, 3] {
            let x = try Tensor.randn([batch, 4, 2, 2])
            try assertClose(try graph(x), try x.reshape([batch, 16]))
        }
    }

    func testElementwiseOperators() throws {
        let a = try floats([1, 4, 9, 16], [2, 2]), b = try floats([2, 2, 3, 4], [2, 2])
        let graph = try makeGraph([
            Node("Sub", inputs: ["a", "b"], outputs: ["sub"]), Node("Div", inputs: ["a", "b"], outputs: ["div"]),
            Node("Sqrt", inputs: ["a"], outputs: ["sqrt"]), Node("Pow", inputs: ["a", "half"], outputs: ["pow"]),
            Node("MatMul", inputs: ["a", "b"], outputs: ["matmul"]), Node("Tanh", inputs: ["b"], outputs: ["tanh"]),
            Node("Clip", inputs: ["a", "zero", "six"], outputs: ["relu6"]),
            Node("LeakyRelu", inputs: ["neg"], outputs: ["leaky"], attributes: [.init("alpha", .float(0.1))]),
            Node("Neg", inputs: ["a"], outputs: ["neg"]),
            Node("Cast", inputs: ["a"], outputs: ["cast"], attributes: [.init("to", .int(7))]),
            Node("Identity", inputs: ["a"], outputs: ["identity"]),
            Node("Sigmoid", inputs: ["b"], outputs: ["sigmoid"]),
        ], inputs: ["a", "b"],
           outputs: ["sub", "div", "sqrt", "pow", "matmul", "tanh", "relu6", "leaky", "cast", "identity", "sigmoid"],
           initializers: [("half", try Tensor.scalar(0.5)), ("zero", try Tensor.scalar(0)), ("six", try Tensor.scalar(6))])
        let out = try graph.outputs([a, b])
        XCTAssertEqual(try out["sub"]!.floats(), [-1, 2, 6, 12])
        XCTAssertEqual(try out["div"]!.floats(), [0.5, 2, 3, 4])
        XCTAssertEqual(try out["sqrt"]!.floats(), [1, 2, 3, 4])
        XCTAssertEqual(try out["pow"]!.floats(), [1, 2, 3, 4])
        try assertClose(out["matmul"]!, try a.matmul(b))
        try assertClose(out["tanh"]!, try b.tanh())
        XCTAssertEqual(try out["relu6"]!.floats(), [1, 4, 6, 6])
        try assertClose(out["leaky"]!, try floats([-0.1, -0.4, -0.9, -1.6], [2, 2]))
        XCTAssertEqual(out["cast"]!.dtype, .int64)
        XCTAssertEqual(try out["identity"]!.floats(), try a.floats())
        try assertClose(out["sigmoid"]!, try b.sigmoid())
    }

    func testIntegerDivisionTruncatesLikeONNX() throws {
        let graph = try makeGraph([Node("Div", inputs: ["a", "b"], outputs: ["y"])], inputs: ["a", "b"], outputs: ["y"])
        let y = try graph.run([try ints([7, -7, 9]), try ints([2, 2, 3])])[0]
        XCTAssertEqual(y.dtype, .int64)
        XCTAssertEqual(try y.int64s(), [3, -3, 3])
    }

    func testShapeOperators() throws {
        let x = try Tensor.arange(0, 24, dtype: .float32).reshape([2, 3, 4])
        let graph = try makeGraph([
            Node("Transpose", inputs: ["x"], outputs: ["t"], attributes: [.init("perm", .ints([2, 0, 1]))]),
            Node("Slice", inputs: ["x", "starts", "ends", "axes", "steps"], outputs: ["rev"]),
            Node("Flatten", inputs: ["x"], outputs: ["flat"], attributes: [.init("axis", .int(2))]),
            Node("Unsqueeze", inputs: ["x", "axes1"], outputs: ["u"]),
            Node("Squeeze", inputs: ["u", "axes1"], outputs: ["sq"]),
            Node("ReduceMean", inputs: ["x"], outputs: ["mean"], attributes: [.init("axes", .ints([-1]))]),
            Node("Softmax", inputs: ["x"], outputs: ["softmax"], attributes: [.init("axis", .int(1))]),
            Node("Pad", inputs: ["x", "pads", "value"], outputs: ["pad"]),
        ], inputs: ["x"], outputs: ["t", "rev", "flat", "sq", "mean", "softmax", "pad"], initializers: [
            ("starts", try ints([-1, 1])), ("ends", try ints([Int64.min, 3])), ("axes", try ints([2, 1])),
            ("steps", try ints([-2, 1])), ("axes1", try ints([1])),
            ("pads", try ints([0, 0, 1, 0, 0, 2])), ("value", try Tensor.scalar(-1)),
        ])
        let out = try graph.outputs([x])
        try assertClose(out["t"]!, try x.permute([2, 0, 1]))
        // x[:, 1:3, ::-2] picks columns 3 and 1.
        try assertClose(out["rev"]!, try x.slice(dim: 1, start: 1, end: 3).indexSelect(dim: 2, index: ints([3, 1])))
        try assertClose(out["flat"]!, try x.reshape([6, 4]))
        try assertClose(out["sq"]!, x)
        try assertClose(out["mean"]!, try x.mean(dims: [2], keepDim: true))
        try assertClose(out["softmax"]!, try x.softmax(dim: 1))
        XCTAssertEqual(out["pad"]!.shape, [2, 3, 7])
        XCTAssertEqual(try out["pad"]!.select(dim: 0, index: 0).select(dim: 0, index: 0).floats(), [-1, 0, 1, 2, 3, -1, -1])
    }

    func testLegacySoftmaxFlattensAtTheAxis() throws {
        let x = try Tensor.randn([2, 3, 4])
        let graph = try makeGraph([Node("Softmax", inputs: ["x"], outputs: ["y"])], inputs: ["x"], outputs: ["y"], opset: 11)
        try assertClose(try graph(x), try x.reshape([2, 12]).softmax(dim: 1).reshape([2, 3, 4]))
    }

    func testConvolutionAttributes() throws {
        Runtime.seed(3)
        let x = try Tensor.randn([2, 4, 9, 8]), w = try Tensor.randn([6, 2, 3, 3])
        let graph = try makeGraph([
            Node("Conv", inputs: ["x", "w"], outputs: ["y"], attributes: [
                .init("group", .int(2)), .init("strides", .ints([2, 1])), .init("dilations", .ints([1, 2])),
                .init("pads", .ints([0, 1, 2, 3])), .init("kernel_shape", .ints([3, 3])),
            ]),
            Node("Conv", inputs: ["x", "w"], outputs: ["same"], attributes: [
                .init("group", .int(2)), .init("strides", .ints([2, 2])), .init("auto_pad", .string("SAME_UPPER")),
            ]),
        ], inputs: ["x"], outputs: ["y", "same"], initializers: [("w", w)])
        let out = try graph.outputs([x])
        // pads are [top, left, bottom, right]; libtorch's pad lists (left, right, top, bottom).
        let expected = try F.conv2d(x.pad([1, 3, 0, 2]), weight: w, stride: (2, 1), dilation: (1, 2), groups: 2)
        try assertClose(out["y"]!, expected, accuracy: 1e-4)
        // SAME_UPPER, stride 2 on 9×8: outputs 5×4, total pads 2 (rows) and 1 (columns, at the end).
        let same = try F.conv2d(x.pad([0, 1, 1, 1]), weight: w, stride: (2, 2), groups: 2)
        try assertClose(out["same"]!, same, accuracy: 1e-4)
    }

    func testPoolingNormalisationAndGemm() throws {
        Runtime.seed(4)
        let x = try Tensor.randn([2, 3, 6, 6])
        let scale = try Tensor.rand([3]), bias = try Tensor.randn([3])
        let mean = try Tensor.randn([3]), variance = try Tensor.rand([3]) + 0.5
        let a = try Tensor.randn([4, 5]), b = try Tensor.randn([3, 4]), c = try Tensor.randn([3])
        let graph = try makeGraph([
            Node("AveragePool", inputs: ["x"], outputs: ["avg"], attributes: [
                .init("kernel_shape", .ints([3, 3])), .init("strides", .ints([2, 2])), .init("pads", .ints([1, 1, 1, 1])),
            ]),
            Node("MaxPool", inputs: ["x"], outputs: ["max"], attributes: [
                .init("kernel_shape", .ints([2, 2])), .init("strides", .ints([2, 2])),
            ]),
            Node("GlobalAveragePool", inputs: ["x"], outputs: ["gap"]),
            Node("BatchNormalization", inputs: ["x", "scale", "bias", "mean", "var"], outputs: ["bn"],
                 attributes: [.init("epsilon", .float(1e-3))]),
            Node("Gemm", inputs: ["a", "b", "c"], outputs: ["gemm"], attributes: [
                .init("alpha", .float(2)), .init("beta", .float(0.5)), .init("transA", .int(1)), .init("transB", .int(1)),
            ]),
            Node("Dropout", inputs: ["x"], outputs: ["drop"]),
        ], inputs: ["x", "a"], outputs: ["avg", "max", "gap", "bn", "gemm", "drop"], initializers: [
            ("scale", scale), ("bias", bias), ("mean", mean), ("var", variance), ("b", b), ("c", c),
        ])
        graph.eval()
        let out = try graph.outputs([x, a])
        // ONNX's count_include_pad defaults to 0, libtorch's to true.
        try assertClose(out["avg"]!, try F.avgPool2d(x, kernel: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false))
        try assertClose(out["max"]!, try F.maxPool2d(x, kernel: (2, 2)))
        try assertClose(out["gap"]!, try x.mean(dims: [2, 3], keepDim: true))
        let normalised = try (x - mean.reshape([3, 1, 1])) / (variance.reshape([3, 1, 1]) + 1e-3).sqrt()
        try assertClose(out["bn"]!, try normalised * scale.reshape([3, 1, 1]) + bias.reshape([3, 1, 1]), accuracy: 1e-4)
        try assertClose(out["gemm"]!, try a.t().matmul(b.t()) * 2 + c * 0.5, accuracy: 1e-4)
        try assertClose(out["drop"]!, x)
        XCTAssertEqual(Set(graph.namedBuffers().map(\.name)), ["mean", "var"])
        XCTAssertEqual(Set(graph.namedParameters().map(\.name)), ["scale", "bias", "b", "c"])
    }

    func testResizeNearestAndBilinear() throws {
        let x = try Tensor.arange(0, 4, dtype: .float32).reshape([1, 1, 2, 2])
        let graph = try makeGraph([
            Node("Resize", inputs: ["x", "", "scales"], outputs: ["nearest"], attributes: [
                .init("mode", .string("nearest")), .init("coordinate_transformation_mode", .string("asymmetric")),
                .init("nearest_mode", .string("floor")),
            ]),
            Node("Resize", inputs: ["x", "", "", "sizes"], outputs: ["linear"], attributes: [
                .init("mode", .string("linear")), .init("coordinate_transformation_mode", .string("align_corners")),
            ]),
        ], inputs: ["x"], outputs: ["nearest", "linear"], initializers: [
            ("scales", try Tensor([1, 1, 2, 2] as [Float])), ("sizes", try ints([1, 1, 3, 3])),
        ])
        let out = try graph.outputs([x])
        XCTAssertEqual(try out["nearest"]!.floats(), [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3])
        XCTAssertEqual(try out["linear"]!.floats(), [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3])
    }
}
