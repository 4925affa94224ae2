"""Jeff's Python runtime client: the program an execution environment runs for `python3.x` functions.

It imports the handler named by `_HANDLER` (`module.function`, `dir/module.function` or
`package.module.function`) from `LAMBDA_TASK_ROOT`, then loops as AWS's runtime interface
client (awslambdaric) does: the next event, the handler, its result or error; a handler that
cannot be loaded is an init error. Given `--channel-fd=N` it speaks the framed channel of
../../runtime-channel.ts on that descriptor (one frame each way per invocation); otherwise the
Lambda Runtime API (2018-06-01) over HTTP: `/next`, `/response` or `/error`, `/init/error`. Results
and errors use Python's Lambda shapes (`{errorMessage, errorType, requestId, stackTrace}`).
Given `--await-config` too (a pooled slot, started before it had a function), it first waits for
its configuration frame, whose variables it then runs with.

Invariant: standard library only. Jeff ships this file as source and runs it with whatever
`python3` is on the host for every `python3.x` runtime name.
"""

import importlib
import json
import logging
import os
import stat
import struct
import sys
import time
import traceback
import urllib.error
import urllib.request

RUNTIME_API = "http://%s/2018-06-01/runtime" % os.environ.get("AWS_LAMBDA_RUNTIME_API", "")
THIS_FILE = os.path.abspath(__file__)

# The request whose output is being written, for the logging format.
current_request_id = None


class FaultException(Exception):
    """A failure of the runtime's own (Lambda reports it as `Runtime.*`)."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


# ----- Runtime API -----

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(method, path, body=None, headers=None):
    request = urllib.request.Request(RUNTIME_API + path, data=body, method=method, headers=headers or {})
    with _opener.open(request, timeout=None) as response:
        return response.status, response.headers, response.read()


def post_error(path, error, error_type):
    body = json.dumps(error).encode("utf-8")
    headers = {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type}
    try:
        call("POST", path, body, headers)
    except urllib.error.HTTPError:
        pass


# ----- the framed channel (../../runtime-channel.ts): lengths (u32 LE), JSON head, body -----

CHANNEL_FD = next((int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--channel-fd=")), None)
# An AWS_LAMBDA_EXEC_WRAPPER may have closed the descriptor (or reused its number) before
# starting this runtime, which then speaks HTTP, as on Lambda.
if CHANNEL_FD is not None:
    try:
        if not stat.S_ISSOCK(os.fstat(CHANNEL_FD).st_mode):
            CHANNEL_FD = None
    except OSError:
        CHANNEL_FD = None


def channel_send(head, body=b""):
    """One frame in one write (the loop only for a body larger than the socket takes at once)."""
    head_bytes = json.dumps(head, separators=(",", ":")).encode("utf-8")
    view = memoryview(struct.pack("<II", len(head_bytes), len(body)) + head_bytes + body)
    while view:
        view = view[os.write(CHANNEL_FD, view) :]


def _channel_read(size):
    chunks = []
    while size > 0:
        chunk = os.read(CHANNEL_FD, min(size, 1 << 20))
        if not chunk:
            raise EOFError("Jeff closed the runtime's channel")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def channel_next():
    """The next event, with its fields named as the Runtime API's headers name them."""
    head_size, body_size = struct.unpack("<II", _channel_read(8))
    head = json.loads(_channel_read(head_size))
    headers = {
        "Lambda-Runtime-Aws-Request-Id": head.get("id", ""),
        "Lambda-Runtime-Deadline-Ms": str(head.get("d", "")),
        "Lambda-Runtime-Invoked-Function-Arn": head.get("a"),
        "Lambda-Runtime-Trace-Id": head.get("x"),
        "Lambda-Runtime-Client-Context": head.get("c"),
    }
    return headers, _channel_read(body_size)


def send_result(request_id, payload, error):
    """The invocation's result or error; over the channel it also asks for the next event."""
    if CHANNEL_FD is not None:
        if error is None:
            channel_send({"k": "response", "id": request_id, "s": 3, "n": 1}, payload)
        else:
            body = json.dumps(error).encode("utf-8")
            channel_send({"k": "error", "id": request_id, "t": error["errorType"], "s": 3, "n": 1}, body)
        return
    if error is None:
        try:
            call("POST", "/invocation/%s/response" % request_id, payload, {"Content-Type": "application/json"})
        except urllib.error.HTTPError:
            # Refused (a response over Lambda's 6 MB): the invocation has ended with that error, and
            # the environment takes the next one, as Lambda's runtime client does.
            pass
    else:
        post_error("/invocation/%s/error" % request_id, error, error["errorType"])


def send_init_error(error):
    if CHANNEL_FD is not None:
        channel_send({"k": "init-error", "t": error["errorType"]}, json.dumps(error).encode("utf-8"))
    else:
        post_error("/init/error", error, error["errorType"])


def next_event():
    if CHANNEL_FD is not None:
        return channel_next()
    status, headers, body = call("GET", "/invocation/next")
    if status != 200:
        raise RuntimeError("Runtime API /next answered %s" % status)
    return headers, body


# ----- output: one marker per invocation on both streams (see ../process-output.ts) -----


def sync_output(request_id):
    marker = "\0jeff-sync:%s\0" % request_id
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
            stream.write(marker)
            stream.flush()
        except Exception:
            pass


# A newline inside one record: Jeff keeps the record one log event, as Lambda does; two NULs
# end a record whose event has no newline of its own (process-output.ts).
RECORD_LINE_BREAK = "\0\n"
RECORD_END_BARE = "\0\0\n"


def one_record(text, bare=False):
    """`text` as one log event, however many lines it has; with its final newline unless `bare`."""
    body = text[:-1] if text.endswith("\n") else text
    return body.replace("\n", RECORD_LINE_BREAK) + (RECORD_END_BARE if bare else "\n")


class RecordFormatter(logging.Formatter):
    def format(self, record):
        return one_record(super().format(record))


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = current_request_id or ""
        return True


def setup_logging():
    """The root logger's handler and format, as on Lambda (level stays WARNING, as there)."""
    logging.Formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.terminator = ""
    handler.setFormatter(
        RecordFormatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)


def nbsp_indented(line):
    """The line with its leading spaces as no-break spaces, as Lambda's runtime client logs traces."""
    stripped = line.lstrip(" ")
    return "\u00a0" * (len(line) - len(stripped)) + stripped


def log_error(error):
    lines = ["[ERROR] %s: %s" % (error["errorType"], error["errorMessage"])]
    if error.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            lines.extend(nbsp_indented(line) for line in element.splitlines())
    # One event without a newline of its own, as Lambda's runtime client logs an error.
    sys.stdout.write(one_record("\n".join(lines), bare=True))


# ----- errors in Lambda's shape -----


def make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id or "",
        "stackTrace": stack_trace or [],
    }


def fault_result(exc, request_id=None):
    frames = traceback.extract_tb(exc.__traceback__)
    # Leave out this file's frames: the trace starts in the function's code.
    frames = [frame for frame in frames if frame.filename != THIS_FILE]
    # As Lambda's runtime client does: each frame as (file, line, function, text), so the trace
    # shows no column markers (`^^^^`) whatever the Python version.
    entries = [(frame.filename, frame.lineno, frame.name, frame.line) for frame in frames]
    return make_error(str(exc), type(exc).__name__, traceback.format_list(entries), request_id)


# ----- results: Lambda's marshaller turns Decimal into a number; 3.12 and later keep non-ASCII -----

ENSURE_ASCII = os.environ.get("AWS_EXECUTION_ENV") not in (
    "AWS_Lambda_python3.12",
    "AWS_Lambda_python3.13",
    "AWS_Lambda_python3.14",
)


def decimal_to_float(value):
    decimal = sys.modules.get("decimal")  # a Decimal exists only once its module is loaded
    if decimal is not None and isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def to_json(result):
    return json.dumps(result, default=decimal_to_float, ensure_ascii=ENSURE_ASCII).encode("utf-8")


# ----- loading the handler -----


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    if not module_name or not function_name or ".." in handler:
        raise FaultException("Runtime.MalformedHandlerName", "Bad handler '%s'" % handler)
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                "Runtime.BuiltInModuleConflict",
                "Cannot use built-in module %s as a handler module" % module_name,
            )
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise FaultException(
            "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e)
        )
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            "Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e), trace
        )
    function = getattr(module, function_name, None)
    if function is None:
        raise FaultException(
            "Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name)
        )
    if not callable(function):
        raise FaultException(
            "Runtime.HandlerNotFound", "Handler '%s' on module '%s' is not callable" % (function_name, module_name)
        )
    return function


# ----- the context object -----


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


def object_from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, values.get(field) if isinstance(values, dict) else None)
    return obj


def parse_json_header(value):
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        pass
    try:  # The Invoke API takes X-Amz-Client-Context as base64-encoded JSON.
        import base64

        return json.loads(base64.b64decode(value))
    except Exception:
        return None


class LambdaContext:
    def __init__(self, request_id, deadline_ms, invoked_function_arn, client_context, cognito_identity):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.client_context = object_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = object_from_dict(Client, self.client_context.client)
        self.identity = object_from_dict(CognitoIdentity, {})
        if isinstance(cognito_identity, dict):
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, message):
        sys.stdout.write(str(message))


# ----- the loop -----


def invoke_once(handler, headers, body):
    global current_request_id
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
    current_request_id = request_id
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    context = LambdaContext(
        request_id,
        int(headers.get("Lambda-Runtime-Deadline-Ms") or time.time() * 1000),
        headers.get("Lambda-Runtime-Invoked-Function-Arn"),
        parse_json_header(headers.get("Lambda-Runtime-Client-Context")),
        parse_json_header(headers.get("Lambda-Runtime-Cognito-Identity")),
    )
    error = None
    try:
        event = json.loads(body or b"null")
        result = handler(event, context)
        try:
            payload = to_json(result)
        except Exception as e:
            raise FaultException("Runtime.MarshalError", "Unable to marshal response: %s" % e)
    except FaultException as e:
        error = make_error(e.message, e.error_type, e.trace, request_id)
    except Exception as e:
        error = fault_result(e, request_id)
    if error is not None:
        log_error(error)
    sync_output(request_id)
    send_result(request_id, None if error is not None else payload, error)


def take_configuration():
    """A pooled runtime (`--await-config`): say it stands by, then wait for its configuration
    frame, whose variables become its environment as if it had started with them."""
    os.set_blocking(CHANNEL_FD, True)
    channel_send({"k": "standby"})
    head_size, body_size = struct.unpack("<II", _channel_read(8))
    head = json.loads(_channel_read(head_size))
    body = _channel_read(body_size)
    if head.get("k") != "config":
        raise RuntimeError("an event came before the configuration")
    variables = json.loads(body)
    os.environ.clear()
    os.environ.update({k: v for k, v in variables.items() if isinstance(v, str)})


def main():
    if "--await-config" in sys.argv[1:]:
        if CHANNEL_FD is None:
            raise RuntimeError("a pooled runtime needs its channel for its configuration")
        # The function sees the command line an unpooled runtime has.
        sys.argv.remove("--await-config")
        take_configuration()
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    # Python put this file's folder first; the function's code takes its place, as on Lambda.
    sys.path[:] = [task_root] + [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(THIS_FILE)]
    if "--unset-lc-ctype" in sys.argv[1:]:
        os.environ.pop("LC_CTYPE", None)
    setup_logging()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except FaultException as e:
        error = make_error(e.message, e.error_type, e.trace)
    except Exception as e:
        error = fault_result(e)
    else:
        error = None
    if error is not None:
        log_error(error)
        sync_output("init")
        send_init_error(error)
        sys.exit(1)
    if CHANNEL_FD is not None:
        # Reads and writes wait; the socket may have come non-blocking.
        os.set_blocking(CHANNEL_FD, True)
        channel_send({"k": "next"})
    while True:
        headers, body = next_event()
        invoke_once(handler, headers, body)


if __name__ == "__main__":
    main()
