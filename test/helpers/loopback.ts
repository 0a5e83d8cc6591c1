import type {Server} from 'node:http';
import type {AddressInfo, Socket} from 'node:net';

export type Loopback = {url: string; port: number; server: Server; close(): Promise<void>};

/** Starts a server on 127.0.0.1 (any port) and tracks its sockets so close() never waits on a stalled client. */
export async function listen(server: Server, scheme: 'http' | 'https' = 'http'): Promise<Loopback> {
	const sockets = new Set<Socket>();
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const {port} = server.address() as AddressInfo;
	return {
		url: `${scheme}://127.0.0.1:${port}`,
		port,
		server,
		close: () =>
			new Promise<void>(resolve => {
				server.close(() => resolve());
				for (const socket of sockets) socket.destroy();
			}),
	};
}
