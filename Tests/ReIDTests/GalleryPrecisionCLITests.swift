import Foundation
import XCTest
import ReIDTestSupport
import Torch

/// `--precision bf16` on `reid index build` and `reid search`, as a user runs them.
final class GalleryPrecisionCLITests: XCTestCase {
    /// A gallery of real crops built and searched in bf16 with the shared OSNet finds the query's
    /// own crop first; on a CPU without native bf16 both commands say they fall back to fp32.
    func testIndexAndSearchInBF16() throws {
        let onnx = try SharedData.file("weights/osnet_x0_25_msmt17.onnx")
        let query = try SharedData.file("data/cuhk03-pair1/query")
        let folder = NSTemporaryDirectory() + "reid-bf16-gallery-\(UUID().uuidString)"
        let crops = folder + "/crops"
        try FileManager.default.createDirectory(atPath: crops, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let names = try FileManager.default.contentsOfDirectory(atPath: query).filter { $0.hasSuffix(".jpg") }.sorted()
        for name in names.prefix(8) { try FileManager.default.copyItem(atPath: query + "/" + name, toPath: crops + "/" + name) }
        let db = folder + "/g.sqlite"
        let built = try ReidBinary.run(["index", "build", "--gallery", crops, "--model", "onnx:" + onnx,
                                        "--size", "256x128", "--db", db, "--precision", "bf16"])
        XCTAssertEqual(built.status, 0, built.err)
        let target = names[3]
        let r = try ReidBinary.run(["search", "--db", db, "--query", crops + "/" + target, "--top", "3", "--json",
                                    "--precision", "bf16"])
        XCTAssertEqual(r.status, 0, r.err)
        if Precision.bf16.resolved(on: .cpu).precision != .bf16 {
            XCTAssertTrue(r.err.contains("--precision bf16"), r.err)
        }
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        let first = (json?["results"] as? [[String: Any]])?.first
        XCTAssertEqual((first?["path"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent }, target, r.out)
        XCTAssertGreaterThan(first?["similarity"] as? Double ?? 0, 0.99, "its own crop, within bf16 rounding")
        // The bf16 path really ran: an fp32 search of the same crop differs from the bf16 gallery
        // feature by bf16 rounding (measured about 5 % relative L2 on cuhk03).
        let fp32 = try ReidBinary.run(["search", "--db", db, "--query", crops + "/" + target, "--top", "1", "--json"])
        let fp32First = ((try JSONSerialization.jsonObject(with: Data(fp32.out.utf8)) as? [String: Any])?["results"]
            as? [[String: Any]])?.first
        let similarity = fp32First?["similarity"] as? Double ?? 0
        XCTAssertGreaterThan(similarity, 0.98, fp32.out)
        if Precision.bf16.resolved(on: .cpu).precision == .bf16 {
            XCTAssertLessThan(similarity, 0.99999, "an fp32 query against bf16 gallery features: \(fp32.out)")
        }
        let bad = try ReidBinary.run(["search", "--db", db, "--query", crops + "/" + target, "--precision", "fp8"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("fp8"), bad.err)
    }
}
