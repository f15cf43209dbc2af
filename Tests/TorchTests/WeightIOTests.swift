import Foundation
import XCTest
@testable import Torch

final class WeightIOTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "reid-io-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func sample() throws -> [String: Tensor] {
        [
            "a.weight": try Tensor.randn([3, 4, 2]),
            "a.count": try Tensor([7] as [Int64], shape: []),
            "b.bias": try Tensor([1.5, -2.5] as [Double]),
            "mask": try Tensor([true, false, true]),
            "bytes": try Tensor([1, 2, 255] as [UInt8]),
        ]
    }

    func assertSame(_ a: [String: Tensor], _ b: [String: Tensor], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(Set(a.keys), Set(b.keys), file: file, line: line)
        for (name, t) in a {
            let u = try XCTUnwrap(b[name])
            XCTAssertEqual(t.shape, u.shape, name, file: file, line: line)
            XCTAssertEqual(t.dtype, u.dtype, name, file: file, line: line)
            XCTAssertEqual(try t.to(.float64).toArray(Double.self), try u.to(.float64).toArray(Double.self), name,
                           file: file, line: line)
        }
    }

    func testSafetensorsRoundTrip() throws {
        let path = folder + "/w.safetensors"
        let tensors = try sample()
        try Safetensors.save(tensors, to: path, metadata: ["format": "pt"])
        try assertSame(tensors, Safetensors.load(path))
        XCTAssertEqual(try Safetensors.load(path, only: nil).metadata["format"], "pt")
        // The header is JSON padded to 8 bytes, as the format requires.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertEqual(headerLength % 8, 0)
    }

    func testPthRoundTripThroughLibtorch() throws {
        let path = folder + "/w.pth"
        let tensors = try sample()
        try PthFile.save(tensors, to: path)
        // A PyTorch zip file starts with the zip magic.
        let magic = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(2)
        XCTAssertEqual(Array(magic), [0x50, 0x4B])
        try assertSame(tensors, PthFile.load(path))
        try assertSame(tensors, WeightFile.load(path))
    }

    func testCorruptWeightFilesNameTheFile() throws {
        let bad = folder + "/bad.safetensors"
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).write(to: URL(fileURLWithPath: bad))
        XCTAssertThrowsError(try Safetensors.load(bad)) { XCTAssertTrue("\($0)".contains("bad.safetensors"), "\($0)") }
        let badPth = folder + "/bad.pth"
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: badPth))
        XCTAssertThrowsError(try PthFile.load(badPth)) { XCTAssertTrue("\($0)".contains("bad.pth"), "\($0)") }
        XCTAssertThrowsError(try WeightFile.load(folder + "/missing.safetensors")) {
            XCTAssertTrue("\($0)".contains("missing.safetensors"), "\($0)")
        }
        XCTAssertThrowsError(try WeightFile.load(folder + "/w.xyz")) { XCTAssertTrue("\($0)".contains("w.xyz")) }
    }

    func testAtomicWriteLeavesNoTemporaryFiles() throws {
        let path = folder + "/x.safetensors"
        try Safetensors.save(["t": try Tensor.zeros([2])], to: path)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder)
        XCTAssertEqual(left, ["x.safetensors"])
    }
}
