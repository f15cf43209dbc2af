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

/// Train → generate → a complete view set, with built-in structure and with renders.
final class ViewGenerationTests: XCTestCase {
    func generate(structure: (String) -> String, renders: Bool) throws {
        let data = ViewTrainingTests.dataset
        let folder = NSTemporaryDirectory() + "reid-gen-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let records = try DatasetLayout.load(data).train
        if renders {
            // Stand-in renders: the synthetic masks are grey body silhouettes of the right size.
            for angle in [90, 180] {
                try FileManager.default.createDirectory(atPath: "\(folder)/renders/render_\(angle)", withIntermediateDirectories: true)
                for r in records {
                    try FileManager.default.copyItem(atPath: "\(data)/mask/\(r.name)", toPath: "\(folder)/renders/render_\(angle)/\(r.name)")
                }
            }
        }
        var s = GeneratorSettings(data: data)
        s.structure = structure(folder)
        s.backbone = "osnet_x0_25"
        s.height = 64
        s.width = 32
        s.batchSize = 4
        s.steps = 2
        s.eps = 0.7
        s.minSamples = 2
        let training = GeneratorTraining(settings: s, runDirectory: folder + "/run")
        training.verbose = false
        let trained = try training.train()
        XCTAssertEqual(trained.steps, 2)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/run/samples.png"))
        var generation = ViewGeneration(runPath: folder + "/run", data: data, angles: [90, 180], out: folder + "/views")
        generation.verbose = false
        let summary = try generation.run()
        XCTAssertEqual(summary.written, 2 * records.count)
        XCTAssertTrue((0...1).contains(summary.identityPreservation))
        if renders { XCTAssertEqual(summary.withoutStructureSource, 0) }
        let coverage = try ViewSet.load(folder + "/views").coverage(originals: records.map(\.name))
        XCTAssertTrue(coverage.complete, "\(coverage.missing.prefix(3))")
        XCTAssertEqual(try Image(contentsOf: "\(folder)/views/nv/90/\(records[0].name)").height, 64)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/views/report.html"))
        // A second train call with the same folder resumes (nothing left to do at the step limit).
        XCTAssertEqual(try training.train().steps, 2)
    }

    func testBuiltInStructureWritesACompleteViewSet() throws {
        try generate(structure: { _ in "auto" }, renders: false)
    }

    func testRenderedStructureWritesACompleteViewSet() throws {
        try generate(structure: { "renders:\($0)/renders" }, renders: true)
    }
}
