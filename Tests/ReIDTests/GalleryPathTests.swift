import Foundation
import XCTest
import ReIDTestSupport

/// A gallery indexed with a relative model path is searched from any directory.
final class GalleryPathTests: XCTestCase {
    func testARelativeONNXPathWorksFromAnotherDirectory() throws {
        let onnx = try SharedData.file("weights/osnet_x0_25_msmt17.onnx")
        let root = NSTemporaryDirectory() + "reid-relpath-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/models", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: onnx, toPath: root + "/models/osnet.onnx")
        let synth = try ReidBinary.run(["synth", "--out", "data", "--ids", "4", "--cameras", "2"], timeout: 120, in: root)
        XCTAssertEqual(synth.status, 0, synth.err)
        let build = try ReidBinary.run(["index", "build", "--gallery", "data/bounding_box_test", "--model", "onnx:models/osnet.onnx",
                                        "--db", "gallery.sqlite"], timeout: 300, in: root)
        XCTAssertEqual(build.status, 0, build.err)
        let query = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: root + "/data/query").sorted().first)
        for (directory, model) in [("/", nil), (root + "/models", "onnx:osnet.onnx")] as [(String, String?)] {
            let r = try ReidBinary.run(["search", "--db", root + "/gallery.sqlite", "--query", root + "/data/query/" + query, "--json"]
                                       + (model.map { ["--model", $0] } ?? []), timeout: 120, in: directory)
            XCTAssertEqual(r.status, 0, "from \(directory): " + r.err)
        }
    }
}
