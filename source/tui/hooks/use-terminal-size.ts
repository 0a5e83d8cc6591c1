import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

type Size = {columns: number; rows: number};

const sizeOf = (stdout: NodeJS.WriteStream): Size => ({
	columns: stdout.columns || 80,
	rows: stdout.rows || 24,
});

/** The terminal's size, updated on resize (Ink 6 has no hook for it). */
export function useTerminalSize(): Size {
	const {stdout} = useStdout();
	const [size, setSize] = useState(() => sizeOf(stdout));
	useEffect(() => {
		const update = () => setSize(sizeOf(stdout));
		stdout.on('resize', update);
		return () => {
			stdout.off('resize', update);
		};
	}, [stdout]);
	return size;
}
