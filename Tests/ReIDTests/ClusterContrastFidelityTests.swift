import Foundation
import XCTest
@testable import ReID
@testable import Torch

/// Cluster-Contrast as the reference defines it: centroids, the per-instance memory update, and
/// one feature space for clustering, loss, memory and evaluation.
final class ClusterContrastFidelityTests: TrainingTestCase {
    /// Centroids average L2-normalised features: a long feature counts no more than a short one.
    func testCentroidsAverageNormalisedFeatures() throws {
        let x = try Tensor([1, 0, 0, 10, 5, 5] as [Float], shape: [3, 2])
        let memory = try ClusterMemory(features: x, labels: [0, 0, 1])
        let c = try memory.centroids.floats()
        let h = Float(0.5.squareRoot())
        // normalise([1,0] + [0,1]) = [h, h]; the raw mean [0.5, 5] would point almost along y.
        XCTAssertEqual(c[0], h, accuracy: 1e-6)
        XCTAssertEqual(c[1], h, accuracy: 1e-6)
        XCTAssertEqual(c[2], h, accuracy: 1e-6)
    }

    /// After a batch, each feature in turn has moved its centroid: c ← normalise(m·c + (1 − m)·f).
    func testMemoryUpdateIsPerInstanceInOrder() throws {
        let start = try Tensor([1, 0, 0, 1] as [Float], shape: [2, 2])
        let memory = try ClusterMemory(features: start, labels: [0, 1], momentum: 0.2)
        let batch: [[Float]] = [[0, 2], [3, 4], [1, 1], [-1, 0]]
        let labels = [0, 0, 1, -1]
        try memory.update(Tensor(batch.flatMap { $0 }, shape: [4, 2]), labels: labels)
        func normalised(_ v: [Float]) -> [Float] { let n = (v[0] * v[0] + v[1] * v[1]).squareRoot(); return [v[0] / n, v[1] / n] }
        var expected: [[Float]] = [[1, 0], [0, 1]]
        for (f, label) in zip(batch, labels) where label >= 0 {
            let u = normalised(f)
            expected[label] = normalised([0.2 * expected[label][0] + 0.8 * u[0], 0.2 * expected[label][1] + 0.8 * u[1]])
        }
        let got = try memory.centroids.floats()
        for (g, e) in zip(got, expected.flatMap { $0 }) { XCTAssertEqual(g, e, accuracy: 1e-6) }
        // One update from the batch mean would differ: the mean of [0,1] and [0.6,0.8] in one move.
        let mean = normalised([0.3, 0.9])
        let once = normalised([0.2 + 0.8 * mean[0], 0.8 * mean[1]])
        XCTAssertGreaterThan(abs(got[0] - once[0]), 1e-3, "a per-cluster mean update")
    }

    /// The memory starts from the evaluation embedding's centroids, and a step's loss and memory
    /// update use the training-mode embedding (after the BNNeck), the space that is evaluated.
    func testLossMemoryAndEvaluationShareOneFeature() throws {
        let config = try TrainerTests.config(epochs: 1, extra: [
            "method=cluster-contrast", "data.sampler=cross-camera", "clustering.k1=8", "clustering.k2=2",
            "clustering.minSamples=2", "clustering.eps=0.7",
        ])
        let dataset = try DatasetLayout.load(config.data.root)
        let context = TrainingContext(config: config, trainRecords: dataset.train, device: .cpu, runDirectory: RunDirectory(newRun()))
        Runtime.seed(1)
        let method = try XCTUnwrap(try MethodRegistry.make("cluster-contrast", context: context) as? ClusterContrastMethod)
        _ = try method.beginEpoch(0, context: context)
        let memory = try XCTUnwrap(method.memory)
        let evaluated = try context.features(of: dataset.train, model: method.model)
        let expected = try ClusterMemory.means(of: evaluated.normalized(dim: 1), labels: method.labels).normalized(dim: 1)
        XCTAssertLessThan(try (memory.centroids - expected).abs().max().item(), 1e-5, "memory built from another feature")

        let batch = try XCTUnwrap(try method.batches(epoch: 0, pass: 0, context: context).first)
        Runtime.seed(2)
        let images = try Tensor.randn([batch.count, 3, 64, 32])
        let before = try memory.centroids.clone()
        // The loss and update the step must compute, from the embedding of a copy of the model in training mode.
        let embedding = try withNoGrad { () -> Tensor in
            let copy = try ReIDModel(backbone: config.model.backbone, head: try config.model.head(classes: 0))
            try copy.load(stateDict: method.model.stateDict(), source: "test")
            copy.train()
            return try copy(images).embedding
        }
        let labels = batch.map { method.labels[$0] }
        let expectedLoss = try withNoGrad { try memory.loss(embedding, labels: Tensor(labels.map(Int64.init))) }.item()
        let check = try ClusterMemory(features: Tensor.eye(1), labels: [0], momentum: memory.momentum)
        check.centroids = before
        try check.update(embedding, labels: labels)

        let losses = try method.step(images: images, indices: batch, context: context)
        XCTAssertEqual(try XCTUnwrap(losses["cluster_nce"]), expectedLoss, accuracy: 1e-4)
        XCTAssertLessThan(try (memory.centroids - check.centroids).abs().max().item(), 1e-4)
    }
}
