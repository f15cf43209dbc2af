import Foundation
import XCTest
@testable import ReID
@testable import Torch

final class LossTests: XCTestCase {
    /// Four 1-D points: ids [0, 0, 1, 1] at positions [0, 1, 3, 7].
    func points() throws -> (Tensor, Tensor) {
        (try Tensor([0, 1, 3, 7] as [Float], shape: [4, 1]), try Tensor([0, 0, 1, 1] as [Int64]))
    }

    func testBatchHardTripletByHand() throws {
        let (x, y) = try points()
        // anchor 0: d_ap = 1, d_an = 3 → max(0, 1 − 3 + 0.3) = 0
        // anchor 1: d_ap = 1, d_an = 2 → 0
        // anchor 2: d_ap = 4, d_an = 2 → 2.3
        // anchor 3: d_ap = 4, d_an = 6 → 0
        let margin = try TripletLoss(margin: 0.3)(x, labels: y).item()
        XCTAssertEqual(margin, 2.3 / 4, accuracy: 1e-4)
        // soft margin: mean(log(1 + exp(d_ap − d_an)))
        let gaps: [Double] = [-2, -1, 2, -2]
        let expected = gaps.map { (g: Double) -> Double in Foundation.log(1 + Foundation.exp(g)) }.reduce(0, +) / 4
        XCTAssertEqual(try TripletLoss(margin: nil)(x, labels: y).item(), expected, accuracy: 1e-4)
    }

    func testTripletSkipsAnchorsWithoutPositives() throws {
        let x = try Tensor([0, 1, 5] as [Float], shape: [3, 1])
        let y = try Tensor([0, 0, 1] as [Int64])
        // anchor 2 has no positive: only anchors 0 and 1 count (d_ap 1, d_an 5 and 4).
        XCTAssertEqual(try TripletLoss(margin: 0.3)(x, labels: y).item(), 0, accuracy: 1e-6)
        let lone = try Tensor([0, 1] as [Float], shape: [2, 1])
        lone.requiresGrad = true
        let loss = try TripletLoss(margin: 0.3)(lone, labels: Tensor([0, 1] as [Int64]))
        XCTAssertEqual(try loss.item(), 0)
        XCTAssertNoThrow(try loss.backward())
    }

    func testLabelSmoothedCrossEntropyByHand() throws {
        let logits = try Tensor([2, 0, 0] as [Float], shape: [1, 3])
        let normaliser: Double = Foundation.log(Foundation.exp(2.0) + 2.0)
        let logp: [Double] = [2.0 - normaliser, -normaliser, -normaliser]
        // target (1 − ε) at class 0 plus ε/3 everywhere
        let eps = 0.1
        let onTarget: Double = (1 - eps + eps / 3) * logp[0]
        let offTarget: Double = eps / 3 * (logp[1] + logp[2])
        let expected: Double = -(onTarget + offTarget)
        XCTAssertEqual(try CrossEntropyLabelSmooth(epsilon: eps)(logits, labels: Tensor([0] as [Int64])).item(),
                       expected, accuracy: 1e-5)
    }

    func testCenterLossValueAndGradientScaling() throws {
        let loss = try CenterLoss(classes: 2, dimension: 2)
        try withNoGrad { try loss.centers.copy_(Tensor([0, 0, 1, 1] as [Float], shape: [2, 2])) }
        let x = try Tensor([1, 0, 1, 3] as [Float], shape: [2, 2])
        let value = try loss(x, labels: Tensor([0, 1] as [Int64]))
        // (1² + 0²) + (0² + 2²) = 5, over a batch of 2
        XCTAssertEqual(try value.item(), 2.5, accuracy: 1e-5)
        try (value * 0.005).backward()
        let before = try loss.centers.grad!.floats()
        try loss.scaleCenterGradients(byInverseOf: 0.005)
        let after = try loss.centers.grad!.floats()
        for (a, b) in zip(before, after) { XCTAssertEqual(b, a / 0.005, accuracy: 1e-4) }
        // d/dc0 of (|x0 − c0|²)/2 = −(x0 − c0) = [−1, 0]
        XCTAssertEqual(after[0], -1, accuracy: 1e-4)
    }

    /// UDA starts its centers at these raw means; the cluster memory normalises them.
    func testClusterMeansLeaveOutliersAndAreNotNormalised() throws {
        let x = try Tensor([2, 0, 4, 0, 100, 100, 0, 6] as [Float], shape: [4, 2])
        let means = try ClusterMemory.means(of: x, labels: [0, 0, -1, 1])
        XCTAssertEqual(means.shape, [2, 2])
        XCTAssertEqual(try means.floats(), [3, 0, 0, 6])
        let memory = try ClusterMemory(features: x, labels: [0, 0, -1, 1])
        XCTAssertEqual(try memory.centroids.floats(), [1, 0, 0, 1])
    }
}

extension LossTests {
    func testAALSByHand() throws {
        let logits = try Tensor([1, 0, 0] as [Float], shape: [1, 3])
        let lse = Foundation.log(Foundation.exp(1.0) + 2)
        let logp: [Double] = [1 - lse, -lse, -lse]
        let ce = -logp[0]
        let kl = (1.0 / 3) * ((Foundation.log(1.0 / 3) - logp[0]) + (Foundation.log(1.0 / 3) - logp[1]) + (Foundation.log(1.0 / 3) - logp[2]))
        let a = 0.25
        let expected = a * ce + (1 - a) * kl
        let got = try AgreementLosses.aals(logits, labels: Tensor([0] as [Int64]), agreement: Tensor([Float(a)]))
        XCTAssertEqual(try got.item(), expected, accuracy: 1e-5)
    }

    func testPGLRByHand() throws {
        // Two parts, two classes; agreement [0, ln 3] gives part weights [1/4, 3/4].
        let g = try Tensor([0, 0] as [Float], shape: [1, 2])
        let p0 = try Tensor([0, 0] as [Float], shape: [1, 2])               // softmax [0.5, 0.5]
        let p1 = try Tensor([0, Float(Foundation.log(3.0))], shape: [1, 2])   // softmax [0.25, 0.75]
        let ca = try Tensor([0, Float(Foundation.log(3.0))], shape: [1, 2])
        let ensemble = [0.25 * 0.5 + 0.75 * 0.25, 0.25 * 0.5 + 0.75 * 0.75]
        let target = [0.5 * 1 + 0.5 * ensemble[0], 0.5 * ensemble[1]]
        let expected = -(target[0] * Foundation.log(0.5) + target[1] * Foundation.log(0.5))
        let got = try AgreementLosses.pglr(g, partLogits: [p0, p1], labels: Tensor([0] as [Int64]), agreement: ca, beta: 0.5)
        XCTAssertEqual(try got.item(), expected, accuracy: 1e-5)
    }

    /// pplr.scaleLogits: a 128-d feature's logits are multiplied by 4 (sqrt(2048 / 128)), a
    /// 2048-d feature's are left alone, and the switch off leaves every logit as it is.
    func testPPLRLogitScaleMatchesResNet50Width() throws {
        let logits = try Tensor([1, -2] as [Float], shape: [1, 2])
        XCTAssertEqual(try PPLRMethod.scaled(logits, dimension: 128, on: true).floats(), [4, -8])
        XCTAssertEqual(try PPLRMethod.scaled(logits, dimension: 2048, on: true).floats(), [1, -2])
        XCTAssertEqual(try PPLRMethod.scaled(logits, dimension: 128, on: false).floats(), [1, -2])
        XCTAssertEqual(PPLRMethod.logitScale(dimension: 512), 2, accuracy: 1e-12)
    }

    /// PPLR's camera-aware proxies by hand (temperature 0.5): proxies per (cluster, camera), the
    /// outlier makes none; a sample's positives are its cluster's OTHER-camera proxies, a sample
    /// without any adds 0 but still counts in the batch, and `hardNegatives` keeps only the most
    /// similar proxies of other clusters.
    func testInterCameraProxiesByHand() throws {
        let s = Float(0.5).squareRoot()
        let features = try Tensor([1, 0, 0, 1, -1, 0, 0, -1, 1, 1, 0.8, -0.6] as [Float], shape: [6, 2])
        let labels = [0, 0, 1, 1, -1, 2], cameras = [0, 1, 0, 0, 1, 1]
        let batch = try Tensor([2, 0, 0, 1, 1, 0] as [Float], shape: [3, 2])
        let batchLabels = [0, 1, 0], batchCameras = [0, 0, 1]
        func expected(hard: Bool) -> Double {
            // Logits (cos / 0.5) of proxies (0,0) [1,0], (0,1) [0,1], (1,0) [-s,-s], (2,1) [0.8,-0.6].
            let toP2 = -2 * Double(s), toP3 = 1.6
            let a = Foundation.log(Foundation.exp(0) + (hard ? 0 : Foundation.exp(toP2)) + Foundation.exp(toP3)) - 0
            let c = Foundation.log(Foundation.exp(2) + (hard ? 0 : Foundation.exp(toP2)) + Foundation.exp(toP3)) - 2
            return (a + 0 + c) / 3
        }
        let all = try InterCameraProxies(features: features, labels: labels, cameras: cameras, temperature: 0.5)
        XCTAssertEqual(all.clusters, [0, 0, 1, 2])
        XCTAssertEqual(all.cameras, [0, 1, 0, 1])
        for (got, want) in zip(try all.proxies.floats(), [1, 0, 0, 1, -s, -s, 0.8, -0.6] as [Float]) {
            XCTAssertEqual(got, want, accuracy: 1e-6)
        }
        XCTAssertEqual(try all.loss(batch, labels: batchLabels, cameras: batchCameras).item(), expected(hard: false), accuracy: 1e-5)
        let hardest = try InterCameraProxies(features: features, labels: labels, cameras: cameras, temperature: 0.5,
                                             hardNegatives: 1)
        XCTAssertEqual(try hardest.loss(batch, labels: batchLabels, cameras: batchCameras).item(), expected(hard: true), accuracy: 1e-5)
    }
}
