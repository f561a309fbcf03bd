import { startStrata } from './start';

// `npm start`: the role comes from PROCESS_ROLE (default `all`: API and worker in one process).
void startStrata();
