import Foundation
import ReIDTestSupport
import XCTest
@testable import Torch

/// Deterministic fuzzing of ONNX loading (and one forward pass of what loads): byte mutations of
/// small valid models, and generated graphs with hostile structure (no outputs or inputs,
/// dangling names, unknown operators, raw data that does not match the dims, huge dims,
/// out-of-range attributes). Each case must load and run, or throw an error with a message.
final class ONNXFuzzTests: XCTestCase {
    static let seed: UInt64 = 0x0_44_4E_58_0000_0015

    static let hostileInts: [Int64] = [-100, -2, -1, 0, 1, 2, 3, 4, 7, 1 << 20, 1 << 31, 1 << 40, .max, .min]

    func testFuzzONNXLoader() throws {
        let folder = try temporaryDirectory()
        let path = folder.appendingPathComponent("case.onnx").path
        var random = FuzzRandom(seed: Self.seed)
        Runtime.seed(15)

        // Valid models to mutate: one written by ONNXFile.write, one by the proto writer.
        let tiny = try Self.tinyModelBytes(folder)
        let chain = Self.generated(&random, hostile: false)
        XCTAssertNoThrow(try ONNXGraph(contents: ONNXFile.read(Self.write(tiny, path))), "the tiny base model loads")
        let bases = [tiny, chain]

        var run = FuzzRun(fuzzer: "onnx", seed: Self.seed)
        let total = 240 * FuzzReport.scale
        let input = try Tensor.randn([1, 3, 5, 5])
        for i in 0..<total {
            let bytes: [UInt8]
            switch i % 4 {
            case 0, 1: bytes = random.mutate(random.pick(bases), maxEdits: 3)
            case 2: bytes = Self.generated(&random, hostile: random.chance(0.7))
            default: bytes = Self.structural(&random)
            }
            _ = try Self.write(bytes, path)
            run.run("case \(i) (seed \(Self.seed))") {
                let graph = try ONNXGraph(path: path)
                graph.eval()
                _ = try withNoGrad { try graph(input) }
            }
        }
        XCTAssertEqual(run.emptyMessages, [], "errors without a message")
        XCTAssertGreaterThan(run.errors, total / 4)
        XCTAssertGreaterThan(run.accepted, total / 50, "some cases still load and run")
        try run.finish()
        print("onnx fuzz: \(run.cases) cases, \(run.errors) errors, \(run.accepted) accepted, "
              + String(format: "%.2f s", run.seconds))
    }

    static func write(_ bytes: [UInt8], _ path: String) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Conv(3→4, 3×3) → Relu → Flatten → Gemm, written by the project's own writer.
    static func tinyModelBytes(_ folder: URL) throws -> [UInt8] {
        let nodes: [ONNXModel.Node] = [
            .init("Conv", name: "conv", inputs: ["x", "conv.weight", "conv.bias"], outputs: ["c"],
                  attributes: [.init("kernel_shape", .ints([3, 3])), .init("pads", .ints([1, 1, 1, 1]))]),
            .init("Relu", name: "relu", inputs: ["c"], outputs: ["r"]),
            .init("Flatten", name: "flatten", inputs: ["r"], outputs: ["f"], attributes: [.init("axis", .int(1))]),
            .init("Gemm", name: "fc", inputs: ["f", "fc.weight", "fc.bias"], outputs: ["y"],
                  attributes: [.init("transB", .int(1))]),
        ]
        let model = ONNXModel(graph: .init(nodes: nodes, inputs: [.init(name: "x")], outputs: [.init(name: "y")]), opset: 13)
        let path = folder.appendingPathComponent("tiny.onnx").path
        try ONNXFile.write(model, initializers: [
            ("conv.weight", try Tensor.randn([4, 3, 3, 3])), ("conv.bias", try Tensor.randn([4])),
            ("fc.weight", try Tensor.randn([2, 100])), ("fc.bias", try Tensor.randn([2])),
        ], to: path)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// A chain of 1–5 nodes on "x" [1, 3, 5, 5]; `hostile` draws attribute values and constant
    /// inputs from boundary and out-of-range integers.
    static func generated(_ random: inout FuzzRandom, hostile: Bool) -> [UInt8] {
        var nodes: [Proto] = [], initializers: [Proto] = []
        var current = "x"
        func int(_ normal: Int64) -> Int64 { hostile && random.chance(0.5) ? random.pick(hostileInts) : normal }
        func ints(_ normal: [Int64]) -> [Int64] {
            guard hostile, random.chance(0.5) else { return normal }
            return (0..<random.int(0...5)).map { _ in random.pick(hostileInts) }
        }
        func constant(_ values: [Int64]) -> String {
            let name = "c\(initializers.count)"
            let raw = values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
            initializers.append(Proto.tensor(name, dims: [Int64(values.count)], type: 7, raw: raw))
            return name
        }
        for k in 0..<random.int(1...5) {
            let out = "v\(k)"
            switch random.int(0..<16) {
            case 0: nodes.append(Proto.node("Relu", [current], [out]))
            case 1:
                let w = "w\(k)"
                let kernel = int(1)
                let dims = [int(2), int(3), kernel, kernel]
                let count = dims.allSatisfy({ $0 >= 0 && $0 < 64 }) ? Int(dims.reduce(1, *)) : 1
                initializers.append(Proto.tensor(w, dims: dims, raw: Proto.floats(Array(repeating: 0.5, count: count))))
                nodes.append(Proto.node("Conv", [current, w], [out], attributes: [
                    ("strides", .ints(ints([1, 1]))), ("pads", .ints(ints([0, 0, 0, 0]))),
                    ("auto_pad", .string(hostile ? random.pick(["NOTSET", "SAME_UPPER", "VALID", "BOGUS"]) : "NOTSET")),
                    ("group", .int(int(1))), ("dilations", .ints(ints([1, 1]))),
                ]))
            case 2:
                nodes.append(Proto.node(random.pick(["MaxPool", "AveragePool"]), [current], [out], attributes: [
                    ("kernel_shape", .ints(ints([2, 2]))), ("strides", .ints(ints([1, 1]))),
                    ("pads", .ints(ints([0, 0, 0, 0]))), ("ceil_mode", .int(int(0))),
                ]))
            case 3: nodes.append(Proto.node(random.pick(["GlobalAveragePool", "GlobalMaxPool"]), [current], [out]))
            case 4: nodes.append(Proto.node("Flatten", [current], [out], attributes: [("axis", .int(int(1)))]))
            case 5: nodes.append(Proto.node("Reshape", [current, constant(ints([1, -1]))], [out]))
            case 6: nodes.append(Proto.node("Transpose", [current], [out], attributes: [("perm", .ints(ints([0, 1, 3, 2])))]))
            case 7: nodes.append(Proto.node(random.pick(["Softmax", "LogSoftmax"]), [current], [out],
                                            attributes: [("axis", .int(int(1)))]))
            case 8:
                let index = "i\(k)"
                let value = hostile ? random.pick([Float.nan, .infinity, -1, 1e30, 0]) : 0
                nodes.append(Proto.node("Constant", [], [index], attributes: [
                    ("value", .tensor(Proto.tensor(index, dims: [], raw: Proto.floats([value])))),
                ]))
                nodes.append(Proto.node("Gather", [current, index], [out], attributes: [("axis", .int(int(1)))]))
            case 9: nodes.append(Proto.node("Cast", [current], [out], attributes: [("to", .int(int(1)))]))
            case 10: nodes.append(Proto.node("Split", [current], [out, "\(out)b"], attributes: [("axis", .int(int(1)))]))
            case 11:
                nodes.append(Proto.node("Slice", [current, constant(ints([0])), constant(ints([2])), constant(ints([1]))],
                                        [out]))
            case 12: nodes.append(Proto.node("Pad", [current, constant(ints([0, 0, 1, 1, 0, 0, 1, 1]))], [out]))
            case 13: nodes.append(Proto.node("Unsqueeze", [current, constant(ints([0]))], [out]))
            case 14: nodes.append(Proto.node("ReduceMean", [current], [out], attributes: [("axes", .ints(ints([2, 3])))]))
            default:
                nodes.append(Proto.node("Resize", [current, "", constant(ints([]))], [out], attributes: [
                    ("mode", .string("nearest")), ("coordinate_transformation_mode", .string("asymmetric")),
                    ("nearest_mode", .string("floor")),
                ]))
            }
            current = out
        }
        return Proto.model(nodes: nodes, inputs: ["x"], outputs: [current], initializers: initializers)
    }

    /// Graph-level damage: no outputs, no inputs, dangling or duplicate names, unknown
    /// operators, cycles, initializers whose data does not fit their dims.
    static func structural(_ random: inout FuzzRandom) -> [UInt8] {
        let weight = Proto.tensor("w", dims: [3], raw: Proto.floats([1, 2, 3]))
        switch random.int(0..<10) {
        case 0: return Proto.model(nodes: [Proto.node("Relu", ["x"], ["y"])], inputs: ["x"], outputs: [])
        case 1: return Proto.model(nodes: [Proto.node("Relu", ["w"], ["y"])], inputs: [], outputs: ["y"], initializers: [weight])
        case 2: return Proto.model(nodes: [Proto.node("Relu", ["nowhere"], ["y"])], inputs: ["x"], outputs: ["y"])
        case 3: return Proto.model(nodes: [Proto.node(random.pick(["Foo", "", "Conv3D", "Loop"]), ["x"], ["y"])],
                                   inputs: ["x"], outputs: ["y"])
        case 4: return Proto.model(nodes: [Proto.node("Relu", ["y"], ["z"]), Proto.node("Relu", ["z"], ["y"])],
                                   inputs: ["x"], outputs: ["y"])
        case 5:
            let dims = (0..<random.int(0...4)).map { _ in random.pick(hostileInts) }
            let raw = Proto.floats(Array(repeating: 1, count: random.int(0...8)))
            return Proto.model(nodes: [Proto.node("Add", ["x", "w"], ["y"])], inputs: ["x"], outputs: ["y"],
                               initializers: [Proto.tensor("w", dims: dims, type: random.pick([1, 7, 10, 8, 0, 99, -1]), raw: raw)])
        case 6: return Proto.model(nodes: [Proto.node("Relu", ["x"], ["x"])], inputs: ["x"], outputs: ["x"])
        case 7: return Proto.model(nodes: [Proto.node("Relu", ["x"], ["y"])], inputs: ["x", "x"], outputs: ["y", ""])
        case 8: return Proto.model(nodes: [], inputs: ["x"], outputs: ["x"])
        default:
            return Proto.model(nodes: [Proto.node("Relu", ["x"], ["y"])], inputs: ["x"], outputs: ["y"],
                               opset: random.pick([0, -1, 1, 6, 9, 10, 11, 12, 17, 1 << 40]))
        }
    }
}
