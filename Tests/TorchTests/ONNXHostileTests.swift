import Foundation
import XCTest
@testable import Torch

/// ONNX files that are well-formed protobuf but describe graphs SwiftReID cannot run safely:
/// each must be an error naming the file when it is loaded, never a trap later.
final class ONNXHostileTests: XCTestCase {
    func file(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = try temporaryDirectory().appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func assertLoadFails(_ path: String, _ fragments: String..., file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ONNXGraph(path: path), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix(path + ": "), "the error names the file: \(text)", file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(text.contains(fragment), "'\(text)' lacks '\(fragment)'", file: file, line: line)
            }
        }
    }

    func testGraphWithoutOutputsIsAnErrorWhenLoaded() throws {
        // Loaded fine before, then `run(...)[0]` trapped (what `reid extract` calls).
        let path = try file(Proto.model(nodes: [Proto.node("Relu", ["x"], ["y"])], inputs: ["x"], outputs: []),
                            "no-outputs.onnx")
        assertLoadFails(path, "no outputs")
    }

    func testGraphWithoutInputsIsAnErrorWhenLoaded() throws {
        let weight = Proto.tensor("w", dims: [2], raw: Proto.floats([1, 2]))
        let path = try file(Proto.model(nodes: [Proto.node("Relu", ["w"], ["y"])], inputs: ["w"], outputs: ["y"],
                                        initializers: [weight]), "no-inputs.onnx")
        assertLoadFails(path, "no inputs")
    }

    func testOmittedOutputNextToAnOmittedInputLoads() throws {
        // Dropout's unnamed mask output and Clip's unnamed min input are both "": the empty name
        // counted as read, and `index[""]!` trapped while compiling the graph.
        let high = Proto.tensor("hi", dims: [], raw: Proto.floats([0.5]))
        let path = try file(Proto.model(nodes: [Proto.node("Dropout", ["x"], ["d", ""]),
                                                Proto.node("Split", ["d"], ["a", ""]),
                                                Proto.node("Clip", ["a", "", "hi"], ["y"])],
                                        inputs: ["x"], outputs: ["y"], initializers: [high]), "omitted.onnx")
        let graph = try ONNXGraph(path: path)
        graph.eval()
        let y = try withNoGrad { try graph(Tensor([0.25, 2, -3, 1] as [Float])) }
        XCTAssertEqual(try y.floats(), [0.25, 0.5])
    }

    func testCastToAnOutOfRangeTypeIsAnError() throws {
        // `Int32(to)` trapped for a 64-bit `to`.
        let path = try file(Proto.model(nodes: [Proto.node("Cast", ["x"], ["y"], attributes: [("to", .int(1 << 40))])],
                                        inputs: ["x"], outputs: ["y"]), "cast.onnx")
        assertLoadFails(path, "node 'cast' (Cast)", "cannot cast")
    }

    func testNonFiniteGatherIndexIsAnError() throws {
        // `Int(item())` trapped on NaN at load time.
        let nan = Proto.tensor("idx", dims: [], raw: Proto.floats([.nan]))
        let path = try file(Proto.model(nodes: [Proto.node("Constant", [], ["i"], attributes: [("value", .tensor(nan))]),
                                                Proto.node("Gather", ["x", "i"], ["y"])],
                                        inputs: ["x"], outputs: ["y"]), "gather.onnx")
        assertLoadFails(path, "node 'gather' (Gather)", "not a usable integer")
    }

    func testZeroStridesAreAnErrorWhenLoaded() throws {
        // With SAME_UPPER padding a stride of 0 divided by zero on the first run.
        let weight = Proto.tensor("w", dims: [1, 1, 1, 1], raw: Proto.floats([1]))
        let path = try file(Proto.model(nodes: [Proto.node("Conv", ["x", "w"], ["y"], attributes: [
            ("strides", .ints([0, 0])), ("auto_pad", .string("SAME_UPPER")), ("kernel_shape", .ints([1, 1])),
        ])], inputs: ["x"], outputs: ["y"], initializers: [weight]), "stride.onnx")
        assertLoadFails(path, "node 'conv' (Conv)", "strides [0, 0]")
    }

    func testHugeConvolutionGroupIsAnError() throws {
        // group = 2^40 reached libtorch, which divided by zero (SIGFPE) on the first run.
        let weight = Proto.tensor("w", dims: [1, 1, 1, 1], raw: Proto.floats([1]))
        let path = try file(Proto.model(nodes: [Proto.node("Conv", ["x", "w"], ["y"], attributes: [("group", .int(1 << 40))])],
                                        inputs: ["x"], outputs: ["y"], initializers: [weight]), "group.onnx")
        assertLoadFails(path, "node 'conv' (Conv)", "group")
        XCTAssertThrowsError(try F.conv2d(Tensor.zeros([1, 3, 4, 4]), weight: Tensor.zeros([3, 1, 1, 1]), groups: 1 << 40)) {
            XCTAssertTrue("\($0)".contains("groups"), "\($0)")
        }
    }

    func testInitializerShapesAreCheckedBeforeAllocating() throws {
        let negative = Proto.tensor("w", dims: [-1, -4], raw: Proto.floats([1, 2, 3, 4]))
        assertLoadFails(try file(Proto.model(nodes: [Proto.node("Add", ["x", "w"], ["y"])], inputs: ["x"], outputs: ["y"],
                                             initializers: [negative]), "negative.onnx"),
                        "initializer 'w' has an invalid shape")
        let overflowing = Proto.tensor("w", dims: [1 << 62, 1 << 62], raw: Proto.floats([1]))
        assertLoadFails(try file(Proto.model(nodes: [Proto.node("Add", ["x", "w"], ["y"])], inputs: ["x"], outputs: ["y"],
                                             initializers: [overflowing]), "overflow.onnx"),
                        "initializer 'w' has an invalid shape")
        let short = Proto.tensor("w", dims: [1 << 20, 1 << 20], raw: Proto.floats([1]))
        assertLoadFails(try file(Proto.model(nodes: [Proto.node("Add", ["x", "w"], ["y"])], inputs: ["x"], outputs: ["y"],
                                             initializers: [short]), "short.onnx"),
                        "initializer 'w' has 4 bytes of data")
    }
}
