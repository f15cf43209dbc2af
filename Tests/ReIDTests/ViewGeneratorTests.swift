import Foundation
import XCTest
@testable import ReID
import Torch

/// The view generator trains: its losses move the right way on a fixed batch.
final class ViewGeneratorTests: XCTestCase {
    /// Smooth colour images (upsampled noise), ImageNet-normalised, [n, 3, 32, 16].
    func images(_ n: Int) throws -> Tensor {
        let unit = try F.interpolate(Tensor.rand([n, 3, 8, 4]), size: (32, 16))
        return try ViewGenerator.toNormalised(unit * 2 - 1)
    }

    func testAFewStepsLowerTheReconstructionLoss() throws {
        Runtime.seed(3)
        let encoder = try ReIDModel(backbone: "osnet_x0_25")
        let generator = try ViewGenerator(identity: encoder, structureWidth: 8)
        let gOpt = try Optimizer.adam(generator.generatorModules.flatMap { $0.trainableParameters() }, lr: 2e-3)
        let dOpt = try Optimizer.adam(generator.discriminator.trainableParameters(), lr: 2e-4)
        let x = try images(4), partner = try images(4), other = try images(4)
        XCTAssertTrue(encoder.trainableParameters().isEmpty, "the identity encoder is frozen")
        var selfLoss: [Double] = [], crossLoss: [Double] = []
        for _ in 0..<25 {
            let l = try generator.step(x: x, partner: partner, other: other, generatorOptimizer: gOpt, discriminatorOptimizer: dOpt)
            XCTAssertTrue(l.values.values.allSatisfy(\.isFinite), "\(l.values)")
            selfLoss.append(l.selfReconstruction)
            crossLoss.append(l.crossReconstruction)
        }
        let start = selfLoss.prefix(3).reduce(0, +) / 3, end = selfLoss.suffix(3).reduce(0, +) / 3
        XCTAssertLessThan(end, start * 0.8, "self-reconstruction \(selfLoss)")
        XCTAssertLessThan(crossLoss.suffix(3).reduce(0, +) / 3, crossLoss.prefix(3).reduce(0, +) / 3, "cross-reconstruction \(crossLoss)")
    }

    func testGreyAndNormalisationRoundTrip() throws {
        let unit = try Tensor.rand([2, 3, 8, 4]) * 2 - 1
        let back = try ViewGenerator.toUnit(ViewGenerator.toNormalised(unit))
        XCTAssertLessThan(try (back - unit).abs().max().item(), 1e-5)
        let grey = try ViewGenerator.grey(unit)
        XCTAssertEqual(grey.shape, [2, 1, 8, 4])
    }

    func testPartnersPreferOtherCameras() {
        let ids = PseudoIdentities(labels: [0, 0, 0, -1, 1], cameras: [0, 0, 1, 0, 1], names: ["a", "b", "c", "d", "e"])
        XCTAssertEqual(ids.partners[0], [2, 1], "the other camera's image first")
        XCTAssertEqual(ids.partners[3], [], "an outlier has no partner")
        XCTAssertEqual(ids.partners[4], [], "a singleton has no partner")
        XCTAssertEqual(ids.paired, 3)
    }
}
