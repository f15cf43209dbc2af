import Foundation
import XCTest
import Torch
@testable import ReID

/// Heads, part features, modes, the registry and weight detection, on OSNet x0.25 and tiny inputs.
final class ReIDModelTests: XCTestCase {
    override func setUp() {
        Runtime.seed(0)
    }

    private func images(_ n: Int = 2) throws -> Tensor { try Tensor.randn([n, 3, 64, 32]) }

    func testThreePartsGiveThreeFeaturesOfTheBackboneWidth() throws {
        let model = try ReIDModel(backbone: "osnet_x0_25", head: .init(classes: 5, parts: 3))
        let out = try model(images())
        XCTAssertEqual(out.featureMap.shape, [2, 128, 4, 2])
        XCTAssertEqual(out.global.beforeBNNeck.shape, [2, 128])
        XCTAssertEqual(out.global.afterBNNeck.shape, [2, 128])
        XCTAssertEqual(out.logits?.shape, [2, 5])
        XCTAssertEqual(out.parts.count, 3)
        for part in out.parts {
            XCTAssertEqual(part.beforeBNNeck.shape, [2, 128])
            XCTAssertEqual(part.afterBNNeck.shape, [2, 128])
        }
        // The first stripe of a 4-row map is the mean of rows 0 and 1 (adaptive pooling bounds).
        let top = try out.featureMap.narrow(dim: 2, start: 0, length: 2).mean(dims: [2, 3])
        XCTAssertLessThan(try (top - out.parts[0].beforeBNNeck).abs().max().item(), 1e-5)
        XCTAssertEqual(Set(model.stateDict().keys).isSuperset(of: ["partHead.bnnecks.2.bias", "head.classifier.weight",
                                                                   "head.bnneck.running_mean", "backbone.conv5.conv.weight"]),
                       true)
    }

    /// Parts come from the map before the network's pooling; the global feature keeps its embedding.
    func testAnONNXEmbeddingNetworkWithPartsIsCutAtItsPoolingForTheParts() throws {
        let onnx = try SharedData.file("weights/osnet_x0_25_msmt17.onnx")
        let whole = try ReIDModel(backbone: "onnx:" + onnx, head: .init(classes: 0, parts: 0))
        XCTAssertEqual(whole.featureDimension, 512)
        let model = try ReIDModel(backbone: "onnx:" + onnx, head: .init(classes: 0, parts: 3))
        model.eval()
        let out = try withNoGrad { try model(Tensor.zeros([2, 3, 256, 128])) }
        XCTAssertEqual(out.featureMap.shape, [2, 128, 16, 8])
        XCTAssertEqual(out.parts.count, 3)
        XCTAssertEqual(out.parts[0].afterBNNeck.shape, [2, 128])
        XCTAssertEqual(out.global.afterBNNeck.shape, [2, 512])
        // model.onnxEmbedding=false: the global feature is pooled from the parts' map, as in PPLR's
        // ResNet-50, so it is the mean of the part stripes of equal height before their BNNecks.
        let pooled = try ReIDModel(backbone: "onnx:" + onnx, head: .init(classes: 0, parts: 4), keepONNXEmbedding: false)
        pooled.eval()
        XCTAssertEqual(pooled.featureDimension, 128)
        let o = try withNoGrad { try pooled(Tensor.rand([2, 3, 256, 128])) }
        let meanOfParts = try Tensor.stack(o.parts.map(\.beforeBNNeck)).mean(dim: 0)
        XCTAssertLessThan(try (o.global.beforeBNNeck - meanOfParts).abs().max().item(), 1e-4)
        var section = TrainingConfig.ModelSection()
        section.backbone = "onnx:" + onnx
        section.parts = 3
        section.onnxEmbedding = false
        XCTAssertEqual(try ModelFactory.make(section, classes: 0, device: .cpu, channelsLast: false).featureDimension, 128,
                       "the config key reaches the model")
    }

    /// training.precision bf16: the backbone runs under CPU autocast (MobileNetV2: its ReLU6
    /// included), the heads and the loss in float32, and every gradient is float32 and finite.
    func testBF16BackboneKeepsHeadsAndGradientsFloat32() throws {
        let model = try ReIDModel(backbone: "mobilenetv2", head: .init(classes: 5))
        model.train()
        model.precision = .bf16
        let out = try model(images(4))
        XCTAssertEqual(out.featureMap.dtype, .float32)
        XCTAssertEqual(out.logits?.dtype, .float32)
        try F.crossEntropy(out.logits!, target: Tensor([0, 1, 2, 3] as [Int64], shape: [4])).backward()
        let grads = model.trainableParameters().compactMap(\.grad)
        XCTAssertEqual(grads.count, model.trainableParameters().count)
        for g in grads {
            XCTAssertEqual(g.dtype, .float32)
            XCTAssertEqual(try g.isFinite().to(.float32).min().item(), 1)
        }
        // The same weights in fp32 give different (rounded differently) but close features.
        model.eval()
        let x = try images(2)
        let bf16 = try withNoGrad { try model(x).global.afterBNNeck }
        model.precision = .fp32
        let fp32 = try withNoGrad { try model(x).global.afterBNNeck }
        let relative = try ((bf16 - fp32).norm(dims: [1]) / fp32.norm(dims: [1])).max().item()
        XCTAssertGreaterThan(relative, 0, "bf16 rounds somewhere")
        XCTAssertLessThan(relative, 0.1)
    }

    func testBNNeckBiasIsFrozenAndClassifierHasNoBias() throws {
        let model = try ReIDModel(backbone: "osnet_x0_25", head: .init(classes: 7, parts: 2))
        let params = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.tensor) })
        XCTAssertEqual(params["head.bnneck.bias"]?.requiresGrad, false)
        XCTAssertEqual(params["partHead.bnnecks.1.bias"]?.requiresGrad, false)
        XCTAssertEqual(params["head.bnneck.weight"]?.requiresGrad, true)
        XCTAssertNil(params["head.classifier.bias"])
        let trainable = model.trainableParameters().count
        XCTAssertEqual(trainable, params.count - 3, "the three BNNeck biases are not trained")
        try model.to(.float64)
        XCTAssertEqual(model.head.bnneck.bias?.requiresGrad, false, "dtype conversion keeps the freeze")
        let out = try model(images().to(.float64))
        try out.logits!.sum().backward()
        XCTAssertNil(model.head.bnneck.bias?.grad)
        XCTAssertNotNil(model.head.bnneck.weight?.grad)
    }

    func testGeMPoolingHasALearnableExponent() throws {
        let model = try ReIDModel(backbone: "osnet_x0_25", head: .init(pooling: .gem, gemP: 3))
        let p = try XCTUnwrap(model.stateDict()["head.pool.p"])
        XCTAssertEqual(try p.floats(), [3])
        XCTAssertTrue(p.requiresGrad)
        // p = 1 is average pooling (of the map clamped at eps, which after ReLU changes nothing visible).
        let pooling = try FeaturePooling(.gem, gemP: 1)
        let map = try Tensor.rand([2, 3, 4, 2])
        let difference = try (pooling(map).squeeze(2) - map.mean(dims: [2, 3])).abs().max().item()
        XCTAssertLessThan(difference, 1e-5)
        XCTAssertEqual(try FeaturePooling(.max)(map, rows: 2).shape, [2, 3, 2])
    }

    func testBackboneOnlyModeIsTheAveragePooledMap() throws {
        let model = try ReIDModel(backbone: "osnet_x0_25", head: .init(pooling: .gem, classes: 3, parts: 2),
                                  mode: .backboneOnly)
        model.eval()
        let out = try withNoGrad { try model(images()) }
        let mean = try out.featureMap.mean(dims: [2, 3])
        XCTAssertLessThan(try (out.embedding - mean).abs().max().item(), 1e-6)
        XCTAssertLessThan(try (out.global.beforeBNNeck - out.global.afterBNNeck).abs().max().item(), 1e-12)
        XCTAssertNil(out.logits)
        XCTAssertEqual(out.parts.count, 2)
    }

    func testRegistryNamesAliasesAndErrors() throws {
        XCTAssertEqual(try XCTUnwrap(BackboneRegistry.make("ibn-net50-a") as? ResNet50).variant, .ibnA)
        XCTAssertEqual(try XCTUnwrap(BackboneRegistry.make("ResNet50-IBN-a") as? ResNet50).variant, .ibnA)
        XCTAssertEqual(try XCTUnwrap(BackboneRegistry.make("resnet50", options: .init(lastStride: 2)) as? ResNet50).lastStride, 2)
        XCTAssertEqual(try XCTUnwrap(BackboneRegistry.make("osnet_x0_75") as? OSNet).width, .x0_75)
        for name in ["resnet50", "resnet50-ibn-a", "ibn-net50-a", "mobilenetv2", "osnet_x1_0", "osnet_x0_75",
                     "osnet_x0_5", "osnet_x0_25"] {
            XCTAssertTrue(BackboneRegistry.knownNames.contains(name), name)
        }
        XCTAssertThrowsError(try BackboneRegistry.make("resnet51")) { error in
            XCTAssertEqual(error as? ModelError, .unknownBackbone(name: "resnet51", known: BackboneRegistry.knownNames))
            XCTAssertTrue("\(error)".contains("osnet_x0_25"), "\(error)")
            XCTAssertTrue("\(error)".contains("resnet50-ibn-a"), "\(error)")
        }
        XCTAssertThrowsError(try BackboneRegistry.make("onnx:/tmp/no-such-model.onnx")) { error in
            XCTAssertTrue("\(error)".contains("/tmp/no-such-model.onnx"), "\(error)")
        }
    }

    func testFullModelRoundTripAndSkippedClassifier() throws {
        let trained = try ReIDModel(backbone: "osnet_x0_25", head: .init(classes: 4, parts: 2))
        _ = try trained(images(4)) // move the running statistics away from their defaults
        trained.eval()
        let path = try temporaryFile("full.safetensors")
        try Safetensors.save(trained.stateDict(), to: path)

        let same = try ReIDModel(backbone: "osnet_x0_25", head: .init(classes: 4, parts: 2), mode: .backboneOnly)
        let report = try same.loadWeights(from: path)
        XCTAssertEqual(report.content, .fullModel)
        XCTAssertEqual(report.ignored, [])
        XCTAssertEqual(same.mode, .full)
        same.eval()
        let x = try images()
        let a = try withNoGrad { try trained(x) }, b = try withNoGrad { try same(x) }
        XCTAssertLessThan(try (a.embedding - b.embedding).abs().max().item(), 1e-6)
        XCTAssertLessThan(try (a.parts[1].afterBNNeck - b.parts[1].afterBNNeck).abs().max().item(), 1e-6)

        // Inference without classifier or parts: those tensors are skipped and reported.
        let plain = try ReIDModel(backbone: "osnet_x0_25")
        let plainReport = try plain.loadWeights(from: path)
        XCTAssertEqual(plainReport.content, .fullModel)
        XCTAssertTrue(plainReport.ignored.contains("head.classifier.weight"))
        XCTAssertTrue(plainReport.ignored.contains("partHead.bnnecks.0.weight"))

        // A model with a GeM head does not fit an average-pooling checkpoint.
        let gem = try ReIDModel(backbone: "osnet_x0_25", head: .init(pooling: .gem, classes: 4, parts: 2))
        XCTAssertThrowsError(try gem.loadWeights(from: path)) { error in
            XCTAssertTrue("\(error)".contains("head.pool.p: in the model but not in the weights"), "\(error)")
        }
    }

    func testBackboneWeightsUnderAPrefixWithForeignHeads() throws {
        let source = try OSNet(width: .x0_25)
        _ = try source(images(4))
        var weights: [String: Tensor] = [:]
        for (name, tensor) in source.stateDict() where !name.hasSuffix("num_batches_tracked") {
            weights["module.backbone." + name] = tensor // DataParallel around a fast-reid style model
        }
        weights["module.heads.bottleneck.0.weight"] = try Tensor.ones([128])
        weights["module.backbone.fc.0.weight"] = try Tensor.zeros([512, 128])
        weights["module.backbone.classifier.weight"] = try Tensor.zeros([10, 512])

        let model = try ReIDModel(backbone: "osnet_x0_25")
        let report = try model.loadWeights(weights, source: "prefixed.pth", usage: .initialisation)
        XCTAssertEqual(report.content, .backboneOnly)
        XCTAssertEqual(report.prefix, "module.backbone.")
        XCTAssertEqual(report.ignored, ["module.backbone.classifier.weight", "module.backbone.fc.0.weight",
                                        "module.heads.bottleneck.0.weight"])
        XCTAssertEqual(model.mode, .full, "initialisation leaves the head in use")
        let loaded = try XCTUnwrap(model.stateDict()["backbone.conv3.0.conv2b.1.bn.running_mean"])
        let original = try XCTUnwrap(source.stateDict()["conv3.0.conv2b.1.bn.running_mean"])
        XCTAssertEqual(try loaded.floats(), try original.floats())

        // A tensor missing under the prefix is named, with the prefix, in the error.
        weights["module.backbone.conv5.bn.running_var"] = nil
        XCTAssertThrowsError(try model.loadWeights(weights, source: "prefixed.pth")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("prefixed.pth (tensors under \"module.backbone.\")"), text)
            XCTAssertTrue(text.contains("conv5.bn.running_var: in the model but not in the weights"), text)
        }
    }

    func testWeightsOfAnotherArchitectureAreRejected() throws {
        let model = try ReIDModel(backbone: "osnet_x0_25")
        let other = try OSNet(width: .x0_5).stateDict()
        XCTAssertThrowsError(try model.loadWeights(other, source: "osnet_x0_5.pth")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("osnet_x0_5.pth"), text)
            XCTAssertTrue(text.contains("model has shape [16, 3, 7, 7], weights have [32, 3, 7, 7]"), text)
        }
    }

    private func temporaryFile(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reid-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir.appendingPathComponent(name).path
    }
}

extension ReIDModelTests {
    /// A part model (PPLR) can start from a run trained without parts: the backbone and global head
    /// load, the part head keeps its fresh initialisation and is reported. For inference the same
    /// file is refused, since the parts would be untrained.
    func testPartModelStartsFromAModelWithoutParts() throws {
        let source = try ReIDModel(backbone: "osnet_x0_25", head: .init(classes: 4))
        let path = try temporaryFile("no-parts.safetensors")
        try Safetensors.save(source.stateDict(), to: path)

        let parts = try ReIDModel(backbone: "osnet_x0_25", head: .init(parts: 3))
        let report = try parts.loadWeights(from: path, usage: .initialisation)
        XCTAssertEqual(report.content, .fullModel)
        XCTAssertTrue(report.initialised.contains("partHead.bnnecks.2.weight"), "\(report.initialised)")
        XCTAssertFalse(report.initialised.contains { !$0.hasPrefix("partHead.") })
        let a = try source.backbone.namedParameters().first!.tensor
        let b = try parts.backbone.namedParameters().first!.tensor
        XCTAssertEqual(try (a - b).abs().max().item(), 0)

        let inference = try ReIDModel(backbone: "osnet_x0_25", head: .init(parts: 3))
        XCTAssertThrowsError(try inference.loadWeights(from: path, usage: .inference)) { error in
            XCTAssertTrue("\(error)".contains("partHead.bnnecks.0.weight: in the model but not in the weights"), "\(error)")
        }
    }
}
