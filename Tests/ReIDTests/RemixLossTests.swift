import Foundation
import XCTest
@testable import ReID
@testable import Torch

/// Each ReMix loss on a few 2-D vectors, against the formula worked out by hand (docs/remix.md).
final class RemixLossTests: XCTestCase {
    func rows(_ values: [[Float]]) throws -> Tensor {
        try Tensor(values.flatMap { $0 }, shape: [values.count, values[0].count])
    }

    func testInstanceLossByHand() throws {
        // ids [0, 0, 1, 1]; f3 is not unit length (the loss normalises it to (0.6, 0.8)).
        let f = try rows([[1, 0], [1, 0], [0, 1], [1.5, 2]])
        let t = 0.5
        // cosines: s01 = 1, s02 = 0, s03 = 0.6, s12 = 0, s13 = 0.6, s23 = 0.8
        func term(_ pos: Double, _ all: [Double]) -> Double { -(pos / t - log(all.map { exp($0 / t) }.reduce(0, +))) }
        let anchor0 = term(1, [1, 0, 0.6]), anchor1 = term(1, [1, 0, 0.6])
        let anchor2 = term(0.8, [0, 0, 0.8]), anchor3 = term(0.8, [0.6, 0.6, 0.8])
        let expected = (anchor0 + anchor1 + anchor2 + anchor3) / 4
        let loss = try RemixLosses.instance(f, identities: [0, 0, 1, 1], groups: [0, 0, 0, 0], images: [0, 1, 2, 3],
                                            temperature: t)
        XCTAssertEqual(try loss.item(), expected, accuracy: 1e-5)
    }

    func testInstanceLossLeavesOutViewsOfTheSameImageAndOtherGroups() throws {
        // A and B are two views of image 0; C is another image of id 0; D is id 0 in another video.
        let f = try rows([[1, 0], [1, 0], [0, 1], [1, 0]])
        let loss = try RemixLosses.instance(f, identities: [0, 0, 0, 0], groups: [0, 0, 0, 1], images: [0, 0, 1, 2],
                                            temperature: 1)
        // A: candidates {C}, positive C → 0; B likewise; C: candidates {A, B}, both positive, cos 0 →
        // −½·2·(0 − log 2) = log 2; D has no candidate and is not an anchor.
        XCTAssertEqual(try loss.item(), log(2.0) / 3, accuracy: 1e-5)
        let none = try RemixLosses.instance(f, identities: [0, 1, 2, 3], groups: [0, 0, 0, 1], images: [0, 1, 2, 3],
                                            temperature: 1)
        XCTAssertEqual(try none.item(), 0, "no anchor has a positive")
    }

    func testAugmentationLossByHand() throws {
        let f = try rows([[1, 0], [0.6, 0.8], [0, 1], [0, 2]])
        // pair (0, 1): 1 − 0.6; pair (2, 3): 1 − 1
        let loss = try RemixLosses.augmentation(f, pairs: [(0, 1), (2, 3)])
        XCTAssertEqual(try loss.item(), 0.2, accuracy: 1e-6)
    }

    func testCentroidsLossByHand() throws {
        let centroids = try rows([[1, 0], [0, 1], [0.6, 0.8]])
        let f = try rows([[2, 0], [0, 1], [1, 1]])
        // Row 0 (labeled, group 0): centroids 0 and 1 only, logits [1, 0] / 0.5 → −log softmax[0].
        // Row 1 (video 1, group 2): only centroid 2 is its video's → 0. Row 2: target −1, skipped.
        let loss = try RemixLosses.centroids(f, centroids: centroids, targets: [0, 2, -1], groups: [0, 2, 0],
                                             centroidGroups: [0, 0, 2], temperature: 0.5)
        let row0 = log(1 + exp(-2.0))
        XCTAssertEqual(try loss.item(), (row0 + 0) / 2, accuracy: 1e-5)
    }

    func testCameraCentroidsLossByHand() throws {
        // m0: id 0 camera 0, m1: id 0 camera 1, m2: id 1 camera 0
        let centroids = try rows([[1, 0], [0.6, 0.8], [0, 1]])
        let f = try rows([[1, 0], [0, 1]])
        let loss = try RemixLosses.cameraCentroids(f, identities: [0, 1], cameras: [0, 0], centroids: centroids,
                                                   owners: [0, 0, 1], centroidCameras: [0, 1, 0], temperature: 1)
        // Sample 0 (id 0, camera 0): positive m1 (other camera, s 0.6), negative m2 (s 0) →
        // softplus(0 − 0.6). Sample 1 (id 1, only camera 0): positive m2 (s 1), negatives m0, m1
        // (s 0, 0.8) → softplus(log(e^0 + e^0.8) − 1).
        func softplus(_ x: Double) -> Double { log(1 + exp(x)) }
        let expected = (softplus(-0.6) + softplus(log(1 + exp(0.8)) - 1)) / 2
        XCTAssertEqual(try loss.item(), expected, accuracy: 1e-5)
    }

    func testLossesGiveGradients() throws {
        let f = try rows([[1, 0.2], [0.9, 0.1], [0.1, 1], [0.2, 0.8]])
        f.requiresGrad = true
        let total = try RemixLosses.instance(f, identities: [0, 0, 1, 1], groups: [0, 0, 0, 0], images: [0, 1, 2, 3],
                                             temperature: 0.1)
            + RemixLosses.augmentation(f, pairs: [(0, 1)])
        try total.backward()
        let g = try XCTUnwrap(f.grad).floats()
        XCTAssertTrue(g.allSatisfy(\.isFinite))
        XCTAssertGreaterThan(g.map(abs).max() ?? 0, 0)
    }

    func testMomentumUpdateIsAnExponentialMovingAverage() throws {
        let target = try BatchNorm(2), source = try BatchNorm(2)
        try withNoGrad {
            try target.weight!.copy_(try Tensor([1, 2] as [Float]))
            try source.weight!.copy_(try Tensor([3, 6] as [Float]))
            try target.runningMean.copy_(try Tensor([0, 10] as [Float]))
            try source.runningMean.copy_(try Tensor([10, 0] as [Float]))
            try source.numBatchesTracked.fill_(7)
        }
        try MomentumUpdate.apply(target: target, source: source, momentum: 0.9)
        // 0.9·target + 0.1·source
        assertClose(try target.weight!.floats(), [1.2, 2.4])
        assertClose(try target.runningMean.floats(), [1, 9])
        XCTAssertEqual(try target.numBatchesTracked.item(), 7, "integer buffers are copied")
        XCTAssertEqual(try source.weight!.floats(), [3, 6], "the source is untouched")
        try MomentumUpdate.apply(target: target, source: source, momentum: 0)
        assertClose(try target.weight!.floats(), [3, 6])
        XCTAssertThrowsError(try MomentumUpdate.apply(target: target, source: source, momentum: 1.5))
        XCTAssertThrowsError(try MomentumUpdate.apply(target: target, source: try Linear(2, 2), momentum: 0.5))
    }
}

func assertClose(_ a: [Float], _ b: [Float], accuracy: Float = 1e-5, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
