import Foundation
import XCTest
@testable import Torch

/// The shared real data and weights: `$REID_SHARED`, else `../shared` beside the package root.
enum SharedFiles {
    static func path(_ relative: String) throws -> String {
        let base: URL
        if let env = ProcessInfo.processInfo.environment["REID_SHARED"], !env.isEmpty {
            base = URL(fileURLWithPath: env)
        } else {
            let packageRoot = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            base = packageRoot.appendingPathComponent("../shared").standardized
        }
        let file = base.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: file) else {
            throw XCTSkip("\(file) not found: the real weights live in ../shared beside the package; set REID_SHARED to point elsewhere")
        }
        return file
    }

    static var osnetONNX: String { get throws { try path("weights/osnet_x0_25_msmt17.onnx") } }
}

extension XCTestCase {
    /// A fresh temporary folder for this test's files, removed when the test ends.
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Writes a graph of `nodes` to an ONNX file through `ONNXFile.write` and loads it back as
    /// an `ONNXGraph`: every operator test goes through the file format.
    func makeGraph(_ nodes: [ONNXModel.Node], inputs: [String], outputs: [String],
                   initializers: [(name: String, tensor: Tensor)] = [], attributeTensors: [String: Tensor] = [:],
                   opset: Int64 = 13, file: String = "model.onnx") throws -> ONNXGraph {
        let model = ONNXModel(graph: .init(nodes: nodes, inputs: inputs.map { .init(name: $0) },
                                           outputs: outputs.map { .init(name: $0) }), opset: opset)
        let path = try temporaryDirectory().appendingPathComponent(file).path
        try ONNXFile.write(model, initializers: initializers, attributeTensors: attributeTensors, to: path)
        return try ONNXGraph(path: path)
    }
}

/// Largest per-row relative L2 error ‖a−b‖/‖b‖ of two [N, D] tensors.
func maxRowRelativeError(_ a: Tensor, _ b: Tensor) throws -> Float {
    let errors = try ((a - b).norm(dims: [1]) / b.norm(dims: [1])).floats()
    return errors.max() ?? 0
}

func assertClose(_ a: Tensor, _ b: Tensor, accuracy: Float = 1e-5, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(a.shape, b.shape, message, file: file, line: line)
    guard a.shape == b.shape else { return }
    let diff = try (a.to(.float32) - b.to(.float32)).abs().max().item()
    XCTAssertLessThanOrEqual(Float(diff), accuracy, message, file: file, line: line)
}
