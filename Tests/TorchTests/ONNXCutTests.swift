import XCTest
@testable import Torch

/// Cutting a graph at its global pooling: what part features need from an embedding network.
final class ONNXCutTests: XCTestCase {
    private typealias Node = ONNXModel.Node

    func testCutAtTheLastPoolingKeepsTheMapAndDropsTheHead() throws {
        Runtime.seed(5)
        let x = try Tensor.randn([2, 3, 8, 4]), w = try Tensor.randn([6, 3, 1, 1]), fc = try Tensor.randn([5, 6])
        let unused = try Tensor.randn([7])
        let model = ONNXModel(graph: .init(nodes: [
            Node("Conv", inputs: ["x", "w"], outputs: ["c"]),
            Node("Relu", inputs: ["c"], outputs: ["map"]),
            Node("GlobalAveragePool", inputs: ["map"], outputs: ["gap"]),
            Node("Flatten", inputs: ["gap"], outputs: ["flat"], attributes: [.init("axis", .int(1))]),
            Node("Gemm", inputs: ["flat", "fc"], outputs: ["y"], attributes: [.init("transB", .int(1))]),
            Node("Neg", inputs: ["unused"], outputs: ["side"]),
        ], inputs: [.init(name: "x")], outputs: [.init(name: "y"), .init(name: "side")]), opset: 13)
        let contents = ONNXFile.Contents(model: model, initializers: [("w", w), ("fc", fc), ("unused", unused)])
        XCTAssertEqual(contents.lastPooledMap, "map")

        let cut = try contents.cut(at: "map")
        XCTAssertEqual(cut.model.graph.nodes.map(\.opType), ["Conv", "Relu"])
        XCTAssertEqual(cut.model.graph.outputs.map(\.name), ["map"])
        XCTAssertEqual(cut.initializers.map(\.name), ["w"])
        let graph = try ONNXGraph(contents: cut)
        graph.isTraining = false
        let expected = try F.conv2d(x, weight: w).relu()
        try assertClose(try graph(x), expected, accuracy: 1e-5)

        // The rest after the map: pooling and fc, run on the map alone; cut + tail = the whole network.
        let tail = try XCTUnwrap(contents.tail(from: "map"))
        XCTAssertEqual(tail.model.graph.nodes.map(\.opType), ["GlobalAveragePool", "Flatten", "Gemm"])
        XCTAssertEqual(tail.model.graph.inputs.map(\.name), ["map"])
        XCTAssertEqual(tail.initializers.map(\.name), ["fc"])
        let rest = try ONNXGraph(contents: tail)
        rest.isTraining = false
        let whole = try ONNXGraph(contents: contents)
        whole.isTraining = false
        try assertClose(try rest(graph(x)), try whole(x), accuracy: 1e-5)
        // A tail that needs a value from before the cut (a skip connection) is refused.
        var skip = contents
        skip.model.graph.nodes.append(Node("Add", inputs: ["y", "c"], outputs: ["z"]))
        skip.model.graph.outputs = [.init(name: "z")]
        XCTAssertNil(skip.tail(from: "map"))

        XCTAssertThrowsError(try contents.cut(at: "nowhere"))
        let noPool = ONNXFile.Contents(model: ONNXModel(graph: .init(
            nodes: [Node("Relu", inputs: ["x"], outputs: ["y"])], inputs: [.init(name: "x")], outputs: [.init(name: "y")]),
            opset: 13), initializers: [])
        XCTAssertNil(noPool.lastPooledMap)
    }

    func testOSNetCutsToItsLastMap() throws {
        let contents = try ONNXFile.read(SharedFiles.osnetONNX)
        let map = try XCTUnwrap(contents.lastPooledMap)
        let graph = try ONNXGraph(contents: contents.cut(at: map))
        graph.isTraining = false
        let out = try withNoGrad { try graph(Tensor.zeros([1, 3, 256, 128])) }
        XCTAssertEqual(out.shape, [1, 128, 16, 8])
        XCTAssertLessThan(graph.ownTensors.count, contents.initializers.count)
    }
}
