#!/usr/bin/python3
"""Autobahn|Python (22.7.1) peer for switchyard interop tests.

One process holds any number of named WAMP sessions. It reads one JSON command per line on
stdin and writes JSON lines on stdout:

  command  {"id": 1, "op": "open", "name": "s1", "transport": "rawsocket", "serializer": "cbor",
            "host": "127.0.0.1", "port": 8081, "realm": "home", "auth": {...}}
  reply    {"id": 1, "ok": true, "result": {...}}  or  {"id": 1, "ok": false, "error": {"uri": ..., "args": [...], "kwargs": {...}}}
  report   {"report": "invocation" | "interrupt" | "event" | "leave", "name": "s1", ...}

Ops: open, close, register, subscribe, publish, call, exit (see the handlers below). The
process exits on stdin EOF, on "exit", or after --max-seconds, whichever comes first.
Run it with /usr/bin/python3 (Debian's python3-autobahn, cbor2, msgpack, nacl).
"""
import argparse
import asyncio
import json
import sys

from autobahn.asyncio.rawsocket import WampRawSocketClientFactory, WampRawSocketMixinGeneral
from autobahn.asyncio.wamp import ApplicationSession
from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.wamp import auth, cryptosign
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer
from autobahn.wamp.types import (CallOptions, CallResult, ComponentConfig, PublishOptions,
                                 RegisterOptions, SubscribeOptions)

# Autobahn 22.7.1's asyncio RawSocket protocol lacks the property the session reads after WELCOME.
WampRawSocketMixinGeneral.transport_details = property(lambda self: getattr(self, '_transport_details', None))

SERIALIZERS = {'json': JsonSerializer, 'msgpack': MsgPackSerializer, 'cbor': CBORSerializer}


def emit(obj):
    sys.stdout.write(json.dumps(obj, default=repr) + '\n')
    sys.stdout.flush()


class PeerError(Exception):
    def __init__(self, uri, args=None, kwargs=None):
        super().__init__(uri)
        self.payload = {'uri': uri, 'args': list(args or []), 'kwargs': dict(kwargs or {})}


class PeerSession(ApplicationSession):
    """One WAMP session; reports what the router sends it."""

    def __init__(self, name, spec):
        super().__init__(ComponentConfig(realm=spec.get('realm', 'home')))
        self.name = name
        self.spec = spec
        self.welcome = asyncio.get_running_loop().create_future()
        self.gone = asyncio.get_running_loop().create_future()

    def onConnect(self):
        a = self.spec.get('auth') or {}
        method = a.get('method')
        authextra = None
        if method == 'cryptosign':
            self.key = cryptosign.CryptosignKey.from_bytes(bytes.fromhex(a['seed']))
            authextra = {'pubkey': a.get('pubkey') or self.key.public_key()}
        self.join(self.config.realm, authmethods=[method] if method else None,
                  authid=a.get('authid'), authextra=authextra)

    async def onChallenge(self, challenge):
        a = self.spec['auth']
        if challenge.method == 'ticket':
            return a['secret']
        if challenge.method == 'wampcra':
            key = a['secret']
            extra = challenge.extra
            if 'salt' in extra:
                key = auth.derive_key(key, extra['salt'], extra.get('iterations', 1000), extra.get('keylen', 32))
            return auth.compute_wcs(key, extra['challenge']).decode('ascii')
        if challenge.method == 'cryptosign':
            return await self.key.sign_challenge(challenge)
        raise Exception('unexpected challenge method ' + challenge.method)

    def onJoin(self, details):
        if not self.welcome.done():
            self.welcome.set_result({
                'session': details.session, 'authid': details.authid, 'authrole': details.authrole,
                'authmethod': details.authmethod, 'serializer': self._transport._serializer.SERIALIZER_ID,
            })

    def onLeave(self, details):
        emit({'report': 'leave', 'name': self.name, 'reason': details.reason, 'message': details.message})
        if not self.welcome.done():
            self.welcome.set_exception(PeerError(details.reason, [details.message] if details.message else []))
        return super().onLeave(details)

    def onDisconnect(self):
        if not self.welcome.done():
            self.welcome.set_exception(PeerError('transport_lost', ['connection closed before WELCOME']))
        if not self.gone.done():
            self.gone.set_result(None)
        super().onDisconnect()


def make_handler(session, cmd):
    """An endpoint registered with details_arg='details'; behaviour chosen by cmd['handler']."""
    kind, tag = cmd['handler'], cmd.get('tag')

    async def endpoint(*args, details=None, **kwargs):
        emit({'report': 'invocation', 'name': session.name, 'tag': tag, 'procedure': details.procedure,
              'args': list(args), 'kwargs': kwargs, 'caller': details.caller,
              'receive_progress': details.progress is not None})
        if kind == 'echo':
            return CallResult(*args, **kwargs)
        if kind == 'describe':
            return {'tag': tag, 'procedure': details.procedure, 'args': list(args), 'kwargs': kwargs}
        if kind == 'fail':
            err = cmd['error']
            raise ApplicationError(err['uri'], *err.get('args', []), **err.get('kwargs', {}))
        if kind == 'progress':
            count = args[0]
            for i in range(1, count + 1):
                if details.progress is not None:
                    details.progress(i, step=i)
                await asyncio.sleep(0.01)
            return CallResult(count, done=True)
        if kind == 'hang':
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                # 22.7.1 on Python 3.11 does not answer a cancelled handler by itself.
                emit({'report': 'interrupt', 'name': session.name, 'tag': tag, 'procedure': details.procedure,
                      'args': list(args)})
                raise ApplicationError('wamp.error.canceled', 'interrupted')
            return 'finished'
        raise ApplicationError('peer.error.unknown_handler', kind)

    return endpoint


class Peer:
    def __init__(self):
        self.sessions = {}

    async def op_open(self, cmd):
        name = cmd['name']
        loop = asyncio.get_running_loop()
        session = PeerSession(name, cmd)
        serializer = SERIALIZERS[cmd.get('serializer', 'json')]()
        if cmd.get('transport', 'websocket') == 'rawsocket':
            factory = WampRawSocketClientFactory(lambda: session, serializer=serializer)
        else:
            factory = WampWebSocketClientFactory(lambda: session, url=cmd['url'], serializers=[serializer])
        _, protocol = await loop.create_connection(factory, cmd['host'], cmd['port'])
        self.sessions[name] = session
        # A refused handshake (no common serializer) closes the connection without a session.
        await asyncio.wait([session.welcome, protocol.is_closed], return_when=asyncio.FIRST_COMPLETED)
        if not session.welcome.done():
            raise PeerError('transport_closed', ['connection closed before WELCOME'])
        return session.welcome.result()

    async def op_close(self, cmd):
        session = self.sessions.pop(cmd['name'])
        if session.is_attached():
            session.leave()
        await session.gone
        return True

    async def op_register(self, cmd):
        session = self.sessions[cmd['name']]
        options = RegisterOptions(details_arg='details', **cmd.get('options', {}))
        reg = await session.register(make_handler(session, cmd), cmd['procedure'], options=options)
        return {'registration': reg.id}

    async def op_subscribe(self, cmd):
        session, key = self.sessions[cmd['name']], cmd.get('key')

        def on_event(*args, details=None, **kwargs):
            emit({'report': 'event', 'name': session.name, 'key': key, 'args': list(args), 'kwargs': kwargs,
                  'topic': details.topic, 'publisher': details.publisher, 'retained': bool(details.retained)})

        options = SubscribeOptions(details_arg='details', **cmd.get('options', {}))
        sub = await session.subscribe(on_event, cmd['topic'], options=options)
        return {'subscription': sub.id}

    async def op_publish(self, cmd):
        session = self.sessions[cmd['name']]
        options = PublishOptions(acknowledge=True, **cmd.get('options', {}))
        pub = await session.publish(cmd['topic'], *cmd.get('args', []), options=options, **cmd.get('kwargs', {}))
        return {'publication': pub.id}

    async def op_call(self, cmd):
        session, progress = self.sessions[cmd['name']], []
        opts = dict(cmd.get('options', {}))
        if opts.pop('receive_progress', False):
            opts['on_progress'] = lambda *a, **kw: progress.append({'args': list(a), 'kwargs': kw})
        res = await session.call(cmd['procedure'], *cmd.get('args', []), options=CallOptions(**opts),
                                 **cmd.get('kwargs', {}))
        if isinstance(res, CallResult):
            return {'args': list(res.results), 'kwargs': res.kwresults, 'progress': progress}
        return {'args': [] if res is None else [res], 'kwargs': {}, 'progress': progress}

    async def run(self, cmd):
        reply = {'id': cmd.get('id')}
        try:
            reply['result'] = await getattr(self, 'op_' + cmd['op'])(cmd)
            reply['ok'] = True
        except ApplicationError as e:
            reply.update(ok=False, error={'uri': e.error, 'args': list(e.args), 'kwargs': e.kwargs or {}})
        except PeerError as e:
            reply.update(ok=False, error=e.payload)
        except Exception as e:  # report, never die: the driver decides what a failure means
            reply.update(ok=False, error={'uri': 'peer.exception', 'args': [type(e).__name__ + ': ' + str(e)], 'kwargs': {}})
        emit(reply)


async def main(max_seconds):
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    peer, tasks = Peer(), set()
    emit({'report': 'ready'})

    async def serve():
        while True:
            line = await reader.readline()
            if not line:
                return
            cmd = json.loads(line)
            if cmd.get('op') == 'exit':
                return
            task = asyncio.create_task(peer.run(cmd))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    try:
        await asyncio.wait_for(serve(), max_seconds)
    except asyncio.TimeoutError:
        emit({'report': 'timeout'})
    for session in peer.sessions.values():
        session.disconnect()


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--max-seconds', type=float, default=120.0)
    asyncio.run(main(parser.parse_args().max_seconds))
