import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import ReIDGallery
import Torch

/// An error answered as JSON `{"error": {"status": 404, "message": "…"}}` with its HTTP status.
struct APIError: Error {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The answer for any error a handler throws: client mistakes are 4xx, never 500.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let api as APIError:
            return api
        case let http as HTTPError:
            let message = http.body ?? (http.status == .contentTooLarge
                ? "the upload is larger than this server accepts" : http.status.reasonPhrase)
            return APIError(http.status, message)
        case let tooLarge as ImageTooLarge:
            return APIError(.contentTooLarge, "\(tooLarge.source) declares \(tooLarge.width)x\(tooLarge.height) pixels; "
                            + "this server decodes at most \(tooLarge.maxPixels) pixels per image")
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "the upload is larger than this server accepts")
        case let gallery as GalleryError:
            switch gallery {
            case .notAnImage: return APIError(.unsupportedMediaType, gallery.description)
            case .notFound: return APIError(.notFound, gallery.description)
            case .invalid: return APIError(.badRequest, gallery.description)
            case .modelMismatch: return APIError(.conflict, gallery.description)
            case .file: return APIError(.internalServerError, gallery.description)
            }
        default:
            return APIError(.internalServerError, "internal error: \(error)")
        }
    }

    var response: Response {
        JSONBody.response(["error": ["status": Int(status.code), "message": message]], status: status)
    }
}

enum JSONBody {
    static func response(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func response<T: Encodable>(encoding value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

/// Turns every error into a JSON answer and counts requests for /metrics.
struct ErrorAndMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let route = ServiceMetrics.route(of: request)
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = APIError.from(error).response
        }
        let elapsed = ContinuousClock.now - started
        metrics.record(route: route, status: Int(response.status.code),
                       seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        return response
    }
}

/// Requires `Authorization: Bearer <token>` on everything except the public paths.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    static var publicPaths: Set<String> { ["/v1/health", "/", "/index.html", "/app.js", "/app.css", "/openapi.yaml"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing bearer token: send `Authorization: Bearer <token>` (the token is in the server's --token-file)")
        }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), Self.equal(String(header.dropFirst(prefix.count)), token) else {
            throw APIError(.unauthorized, "wrong bearer token")
        }
        return try await next(request, context)
    }

    /// Compares without stopping at the first difference.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = x.count ^ y.count
        for i in 0..<min(x.count, y.count) { diff |= Int(x[i] ^ y[i]) }
        return diff == 0
    }
}

/// Headers on every answer: no MIME sniffing (an uploaded crop is served as the image type it was
/// stored under, never as HTML), and no Referer, so the page's URL never leaves with a request.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var referrerPolicy: HTTPField.Name { HTTPField.Name("Referrer-Policy")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicy] = "no-referrer"
        return response
    }
}
