import XCTest
@testable import Torch

/// Numbers from a .pth pickle that must be errors, not overflow traps.
final class PthHostileTests: XCTestCase {
    func testStorageOffsetAtIntMaxIsAnError() throws {
        // `last + 1` overflowed for an offset of Int.max with a one-element view.
        let storage = try Tensor.zeros([4])
        XCTAssertThrowsError(try TorchTensorRebuild.view(of: storage, offset: Int.max, size: [1], stride: [1])) {
            XCTAssertTrue("\($0)".contains("overflows"), "\($0)")
        }
        XCTAssertThrowsError(try TorchTensorRebuild.view(of: storage, offset: 0, size: [Int.max, 2], stride: [2, 1]))
        XCTAssertEqual(try TorchTensorRebuild.view(of: storage, offset: 1, size: [3], stride: [1]).shape, [3])
    }
}
